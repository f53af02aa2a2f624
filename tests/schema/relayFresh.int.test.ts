/**
 * The Relay example app's compiled artifacts (examples/relay/__generated__/)
 * and the schema file they are compiled against (examples/relay/schema.graphql,
 * the supergraph's API schema) are what `npm run relay` produces now: a
 * schema or document change without recompiling fails here. It runs the real
 * relay-compiler binary (`--validate` writes nothing).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('the Relay example’s artifacts', () => {
  it('are up to date with the supergraph and the example’s documents', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/relay.ts', '--validate'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(
      run.status,
      `relay artifacts are stale: run \`npm run relay\`\n${run.stdout}${run.stderr}`,
    ).toBe(0);
    expect(run.stdout).toContain('compiled documents');
  });
});
