/**
 * `npm run access-rules [-- --check] [--supergraph supergraph.graphql] [--out docs/access-rules.md]`
 *
 * Writes the access-rules table of the city graph (every type and field of
 * the composed supergraph with its rule, owner and personal-data flag) to
 * docs/access-rules.md, from the committed supergraph.graphql, with lib/records/access
 * `formatAccessRulesMarkdown`. With `--check`, writes nothing and exits 1
 * when the committed file differs (CI).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  formatAccessRulesMarkdown,
  readAccessRules,
} from '../lib/records/access/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      supergraph: {
        type: 'string',
        default: path.join(root, 'supergraph.graphql'),
      },
      out: {
        type: 'string',
        default: path.join(root, 'docs', 'access-rules.md'),
      },
    },
  });
  const supergraphPath = path.resolve(values.supergraph);
  const out = path.resolve(values.out);
  const sdl = await readFile(supergraphPath, 'utf8').catch(() => {
    throw new Error(
      `${path.relative(root, supergraphPath)} does not exist: run \`npm run compose\` first.`,
    );
  });
  const rules = readAccessRules(sdl).fields;
  const markdown = formatAccessRulesMarkdown(rules);
  const relativeOut = path.relative(root, out);
  if (values.check) {
    const committed = await readFile(out, 'utf8').catch(() => undefined);
    if (committed !== markdown) {
      console.error(
        committed === undefined
          ? `${relativeOut} does not exist: run \`npm run access-rules\` and commit it.`
          : `${relativeOut} differs from the access rules of ${path.relative(root, supergraphPath)}: run \`npm run access-rules\` and commit it.`,
      );
      return 1;
    }
    console.log(`${relativeOut} is up to date (${rules.length} fields).`);
    return 0;
  }
  await writeFile(out, markdown);
  const protectedCount = rules.filter((rule) => !rule.public).length;
  console.log(
    `Wrote ${relativeOut}: ${rules.length} fields, ${protectedCount} protected.`,
  );
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    `access-rules: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 2;
}
