/**
 * `npm run relay [-- --validate]`
 *
 * The Relay example app's compiler step (docs/clients.md, "Relay"): writes
 * the city graph's API schema (the supergraph without the federation
 * machinery, lib/tooling/clientSchema.ts) to
 * examples/relay/schema.graphql, then runs relay-compiler over
 * examples/relay/ with examples/relay/relay.config.json. With `--validate`,
 * writes nothing and exits 1 when the schema file or an artifact is stale (a
 * test runs it).
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printSchema } from 'graphql';
import { cityClientSchema } from '../lib/tooling/clientSchema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaFile = path.join(root, 'examples/relay/schema.graphql');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { validate: { type: 'boolean', default: false } },
  });
  const schema = `${printSchema(cityClientSchema())}\n`;
  if (values.validate) {
    const committed = await readFile(schemaFile, 'utf8').catch(() => '');
    if (committed !== schema) {
      console.error(
        `${path.relative(root, schemaFile)} is stale: run \`npm run relay\``,
      );
      return 1;
    }
  } else {
    await writeFile(schemaFile, schema);
  }
  // The compiler is a native binary inside the npm package (linux-x64,
  // linux-arm64, macOS, Windows); its bin script picks the platform's.
  const compiler = spawnSync(
    path.join(root, 'node_modules/.bin/relay-compiler'),
    [
      path.join(root, 'examples/relay/relay.config.json'),
      ...(values.validate ? ['--validate'] : []),
    ],
    { cwd: path.join(root, 'examples/relay'), stdio: 'inherit' },
  );
  return compiler.status ?? 1;
}

process.exitCode = await main();
