/**
 * Global Object Identification (docs/decisions/0010-global-object-identification.md):
 * the id forms governance decodes (lib/subgraph-kit/nodeIds.ts) are those of
 * exactly the supergraph's `Node` types, and every entity an app caches
 * (every type with a resolvable `@key`) is a `Node`.
 */
import { readFileSync } from 'node:fs';
import { isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NODE_ID_FORMS } from '../../lib/subgraph-kit/nodeIds.js';
import { apiSchemaOfSupergraph } from '../../lib/tooling/composition/index.js';

const sdl = readFileSync(
  new URL('../../supergraph.graphql', import.meta.url),
  'utf8',
);
const api = apiSchemaOfSupergraph(sdl);

/** Object types some subgraph resolves by key, other than subscription events. */
function resolvableEntities(): string[] {
  const found = new Set<string>();
  for (const m of sdl.matchAll(/^type (\w+)[^{]*\{/gm)) {
    const joins = m[0].matchAll(/@join__type\(([^)]*)\)/g);
    for (const join of joins) {
      const args = join[1] ?? '';
      if (args.includes('key:') && !args.includes('resolvable: false'))
        found.add(m[1] as string);
    }
  }
  // A subscription's event, never fetched again (docs/live.md).
  found.delete('ReadingReceived');
  return [...found].sort();
}

describe('Node types of the supergraph', () => {
  const node = api.getType('Node');

  it('are exactly the types whose id forms governance decodes', () => {
    expect(isInterfaceType(node)).toBe(true);
    if (!isInterfaceType(node)) return;
    const implementations = api
      .getPossibleTypes(node)
      .map((t) => t.name)
      .sort();
    expect(implementations).toEqual(Object.keys(NODE_ID_FORMS).sort());
  });

  it('include every entity an app caches (each type with a resolvable key)', () => {
    expect(resolvableEntities()).toEqual(Object.keys(NODE_ID_FORMS).sort());
  });

  it('each answer a non-null id', () => {
    for (const name of Object.keys(NODE_ID_FORMS)) {
      const type = api.getType(name);
      expect(isObjectType(type), name).toBe(true);
      if (isObjectType(type))
        expect(String(type.getFields()['id']?.type), name).toBe('ID!');
    }
  });
});
