/**
 * The committed supergraph.graphql is what supergraph.yaml and the
 * subgraphs' schema files compose to, and docs/access-rules.md is what that
 * supergraph says: a schema change without `npm run compose` fails CI.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  composeSupergraph,
  formatCompositionProblems,
  loadSupergraphConfig,
  readSubgraphSources,
} from '../../lib/tooling/composition/index.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('supergraph.graphql', () => {
  it('is up to date with supergraph.yaml and the subgraph schemas', async () => {
    const config = await loadSupergraphConfig(
      path.join(root, 'supergraph.yaml'),
    );
    const outcome = composeSupergraph(await readSubgraphSources(config));
    if (!outcome.ok) throw new Error(formatCompositionProblems(outcome.errors));
    const committed = await readFile(
      path.join(root, 'supergraph.graphql'),
      'utf8',
    );
    expect(
      committed === outcome.supergraphSdl,
      'run `npm run compose` and commit supergraph.graphql',
    ).toBe(true);
  });
});
