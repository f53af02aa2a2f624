/**
 * `npm run schema:usage -- [Type.field] [--days 14] [--json]`
 *
 * With a coordinate: which operations and clients used it in the last N
 * days, how often and when last. Without one: the deprecated fields of the
 * committed supergraph, each with who still uses it, so a team knows when
 * removing one is safe. Reads the governance database (GOVERNANCE_MONGODB_URI,
 * or the one `npm start` runs). Exits 0, or 1 when usage cannot be read.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/runtime/config.js';
import { apiSchemaOfSupergraph } from '../lib/tooling/composition/index.js';
import {
  deprecatedFieldsUsage,
  openGovernanceUsage,
  type OperationUsage,
} from '../lib/records/usage/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function line(usage: OperationUsage): string {
  const client = usage.clientName
    ? `${usage.clientName} ${usage.clientVersion ?? ''}`.trim()
    : '(no client name)';
  return `${usage.name ?? '(anonymous)'} [${usage.hash.slice(0, 12)}]  ${client}  ${usage.count}×  last ${usage.lastSeen.toISOString()}`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      days: { type: 'string', default: '14' },
      json: { type: 'boolean', default: false },
      supergraph: {
        type: 'string',
        default: path.join(root, 'supergraph.graphql'),
      },
    },
  });
  const days = Number(values.days);
  const coordinate = positionals[0];
  if (
    positionals.length > 1 ||
    !Number.isInteger(days) ||
    days < 1 ||
    (coordinate && !/^\w+\.\w+$/.test(coordinate))
  ) {
    console.error(
      'usage: npm run schema:usage -- [Type.field] [--days N] [--json]',
    );
    return 2;
  }
  const usage = await openGovernanceUsage(loadConfig());
  if (!usage.known) {
    console.error(`Usage is unknown: ${usage.reason}.`);
    return 1;
  }
  try {
    if (coordinate) {
      const used = await usage.store.usageOf(coordinate, days);
      if (values.json)
        console.log(JSON.stringify({ coordinate, days, usage: used }, null, 2));
      else if (used.length === 0)
        console.log(
          `${coordinate}: no operation recorded in the last ${days} days.`,
        );
      else {
        console.log(
          `${coordinate}: ${used.length} operation/client pair(s) in the last ${days} days`,
        );
        for (const entry of used) console.log(`  - ${line(entry)}`);
      }
      return 0;
    }
    const schema = apiSchemaOfSupergraph(
      await readFile(values.supergraph, 'utf8'),
    );
    const fields = await deprecatedFieldsUsage(schema, usage.store, days);
    if (values.json) {
      console.log(JSON.stringify({ days, deprecated: fields }, null, 2));
      return 0;
    }
    if (fields.length === 0)
      console.log('The supergraph has no deprecated field.');
    for (const field of fields) {
      console.log(
        field.usage.length === 0
          ? `${field.coordinate} (deprecated: ${field.reason}): unused in the last ${days} days, safe to remove.`
          : `${field.coordinate} (deprecated: ${field.reason}): still used by`,
      );
      for (const entry of field.usage) console.log(`  - ${line(entry)}`);
    }
    return 0;
  } finally {
    await usage.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
