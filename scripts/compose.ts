/**
 * `npm run compose [-- --check] [--config supergraph.yaml] [--out supergraph.graphql]`
 *
 * Composes the subgraphs listed in supergraph.yaml into the committed
 * supergraph.graphql. On a composition error, prints each error in plain
 * words and exits 1. With `--check`, writes nothing and exits 1 when the
 * committed file differs from what composition produces (CI).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  composeSupergraph,
  formatCompositionProblems,
  loadSupergraphConfig,
  readSubgraphSources,
  writeSupergraph,
} from '../lib/tooling/composition/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      config: { type: 'string', default: path.join(root, 'supergraph.yaml') },
      out: { type: 'string', default: path.join(root, 'supergraph.graphql') },
    },
  });
  const config = await loadSupergraphConfig(values.config);
  const sources = await readSubgraphSources(config);
  const outcome = composeSupergraph(sources);
  if (!outcome.ok) {
    console.error(formatCompositionProblems(outcome.errors));
    return 1;
  }
  const out = path.resolve(values.out);
  if (values.check) {
    const committed = await readFile(out, 'utf8').catch(() => undefined);
    if (committed !== outcome.supergraphSdl) {
      console.error(
        committed === undefined
          ? `${path.relative(root, out)} does not exist: run \`npm run compose\` and commit it.`
          : `${path.relative(root, out)} is out of date with supergraph.yaml and the subgraph schemas: run \`npm run compose\` and commit it.`,
      );
      return 1;
    }
    console.log(
      `${path.relative(root, out)} is up to date (${sources.length} subgraphs).`,
    );
    return 0;
  }
  await writeSupergraph(outcome.supergraphSdl, {
    supergraphPath: out,
    accessRulesPath: path.join(root, 'docs', 'access-rules.md'),
  });
  console.log(
    `Composed ${sources.map((s) => s.name).join(', ')} into ${path.relative(root, out)} (and docs/access-rules.md).`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
