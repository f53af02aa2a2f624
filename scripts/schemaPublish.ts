/**
 * `npm run schema:publish -- <subgraph> [--days 14] [--json]`
 *
 * Runs the same check as `schema:check` on the subgraph's schema file and,
 * only if it passes, recomposes and atomically rewrites supergraph.graphql
 * (running gateways switch to it on their next poll). A failing check leaves
 * supergraph.graphql untouched. Exits 0 when published (or already up to
 * date), 1 when the check fails, 2 on bad usage.
 */
import { runSchemaCommand } from './schemaCheck.js';

runSchemaCommand(process.argv.slice(2), true).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
