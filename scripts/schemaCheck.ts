/**
 * `npm run schema:check -- <subgraph> [--schema FILE] [--days 14] [--json]`
 *
 * Checks a change to one subgraph's schema before it is published: does it
 * compose, which API changes it makes (breaking, dangerous, safe), which
 * recorded operations and clients each breaking change would break, and
 * whether it weakens an access rule without the auditors' approval.
 * Exits 0 when the change can be published, 1 otherwise, 2 on bad usage.
 *
 * Paths default to the repository's: --config supergraph.yaml,
 * --supergraph supergraph.graphql, --access-approvals
 * governance/access-approvals.yaml, --schema-approvals
 * governance/schema-approvals.yaml.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/runtime/config.js';
import {
  checkSubgraphSchema,
  formatSchemaCheckReport,
  prepareSchemaCheck,
  publishSupergraph,
  schemaCheckReportToJson,
} from '../lib/tooling/composition/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs schema:check, or schema:publish when `publish` is true; resolves to the exit code. */
export async function runSchemaCommand(
  argv: readonly string[],
  publish: boolean,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      days: { type: 'string', default: '14' },
      json: { type: 'boolean', default: false },
      config: { type: 'string', default: path.join(root, 'supergraph.yaml') },
      supergraph: {
        type: 'string',
        default: path.join(root, 'supergraph.graphql'),
      },
      'access-approvals': {
        type: 'string',
        default: path.join(root, 'governance', 'access-approvals.yaml'),
      },
      'schema-approvals': {
        type: 'string',
        default: path.join(root, 'governance', 'schema-approvals.yaml'),
      },
    },
  });
  const command = publish ? 'schema:publish' : 'schema:check';
  const subgraph = positionals[0];
  const days = Number(values.days);
  if (
    subgraph === undefined ||
    positionals.length > 1 ||
    !Number.isInteger(days) ||
    days < 1
  ) {
    console.error(
      `usage: npm run ${command} -- <subgraph>${publish ? '' : ' [--schema FILE]'} [--days N] [--json]`,
    );
    return 2;
  }
  if (publish && values.schema !== undefined) {
    console.error(
      "schema:publish publishes the subgraph's own schema file; commit the change there, then publish.",
    );
    return 2;
  }
  const prepared = await prepareSchemaCheck({
    subgraph,
    configPath: values.config,
    supergraphPath: values.supergraph,
    ...(values.schema === undefined ? {} : { schemaFile: values.schema }),
    accessApprovalsPath: values['access-approvals'],
    schemaApprovalsPath: values['schema-approvals'],
    days,
    usage: { config: loadConfig() },
  });
  try {
    if (publish) {
      const { report, written } = await publishSupergraph(
        prepared.input,
        values.supergraph,
        path.join(root, 'docs', 'access-rules.md'),
      );
      if (values.json)
        console.log(
          JSON.stringify(
            { ...JSON.parse(schemaCheckReportToJson(report)), written },
            null,
            2,
          ),
        );
      else {
        console.log(formatSchemaCheckReport(report));
        console.log(
          written
            ? `\nPublished: ${path.relative(process.cwd(), values.supergraph)} rewritten; running gateways pick it up on their next poll.`
            : report.passed
              ? '\nNothing to publish: the supergraph is already up to date.'
              : `\nNot published: ${path.relative(process.cwd(), values.supergraph)} is unchanged.`,
        );
      }
      return report.passed ? 0 : 1;
    }
    const report = await checkSubgraphSchema(prepared.input);
    console.log(
      values.json
        ? schemaCheckReportToJson(report)
        : formatSchemaCheckReport(report),
    );
    return report.passed ? 0 : 1;
  } finally {
    await prepared.close();
  }
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  runSchemaCommand(process.argv.slice(2), false).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
