/**
 * Test support for tests/schema (not a test file): the fixture city graph,
 * its candidates, and recorded usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { operationSignature } from '../../gateway/src/operationSignature.js';
import {
  composeSupergraph,
  loadSupergraphConfig,
  readSubgraphSources,
  type SubgraphSource,
} from '../../lib/tooling/composition/index.js';

/** tests/schema/fixtures */
export const FIXTURES = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
);
/** The fixture supergraph.yaml. */
export const FIXTURE_CONFIG = path.join(FIXTURES, 'supergraph.yaml');

/** The fixture subgraphs as committed, and their composed supergraph. */
export async function fixtureGraph(): Promise<{
  subgraphs: SubgraphSource[];
  supergraphSdl: string;
}> {
  const subgraphs = await readSubgraphSources(
    await loadSupergraphConfig(FIXTURE_CONFIG),
  );
  const outcome = composeSupergraph(subgraphs);
  if (!outcome.ok)
    throw new Error(outcome.errors.map((e) => e.message).join('\n'));
  return { subgraphs, supergraphSdl: outcome.supergraphSdl };
}

/** The fixture subgraphs with `name`'s SDL edited by `edit`. */
export function withCandidate(
  subgraphs: readonly SubgraphSource[],
  name: string,
  edit: (sdl: string) => string,
): SubgraphSource[] {
  return subgraphs.map((subgraph) =>
    subgraph.name === name
      ? { ...subgraph, sdl: edit(subgraph.sdl) }
      : subgraph,
  );
}

/** Replaces `from` by `to` in an SDL, failing loudly when `from` is not there. */
export function replace(from: string, to: string): (sdl: string) => string {
  return (sdl) => {
    if (!sdl.includes(from))
      throw new Error(`fixture does not contain ${JSON.stringify(from)}`);
    return sdl.replace(from, to);
  };
}

/** The signature of an operation against the API schema of `supergraphSdl`'s composition. */
export async function signatureOf(
  subgraphs: readonly SubgraphSource[],
  query: string,
  operationName: string,
) {
  const outcome = composeSupergraph(subgraphs);
  if (!outcome.ok) throw new Error('fixture does not compose');
  return operationSignature(outcome.apiSchema, parse(query), operationName);
}

/** Reads a fixture file. */
export function readFixture(name: string): Promise<string> {
  return readFile(path.join(FIXTURES, name), 'utf8');
}
