/**
 * The committed resolver types in subgraphs/<name>/src/__generated__/, and
 * the example app's typed operations in examples/codegen/__generated__/, are
 * what `npm run codegen` produces from the current schema files: a schema
 * change without regenerating fails here instead of type-checking against a
 * stale schema.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('generated resolver types', () => {
  it('are up to date with the subgraph schemas', async () => {
    const outputs = (await generate({ ...config, cwd: root }, false)) as {
      filename: string;
      content: string;
    }[];
    // Five subgraphs' resolver types, and the client preset's three files of
    // the example app (examples/codegen/__generated__/).
    expect(outputs.length).toBe(8);
    for (const output of outputs) {
      const committed = await readFile(
        path.resolve(root, output.filename),
        'utf8',
      ).catch(() => '');
      expect(
        committed === output.content,
        `${output.filename} is stale: run \`npm run codegen\``,
      ).toBe(true);
    }
  });
});
