/**
 * Development tooling (not for production code): the city graph as client
 * tools see it. The supergraph's API schema (what the gateway serves, without
 * the federation machinery), and the TypeScript type of each of its custom
 * scalars as the graph itself declares it (`codegenScalarType` on the
 * scalar's definition in lib/subgraph-kit/scalars.ts, as graphql-scalars
 * does), so that an app's GraphQL Code Generator config runs under
 * `strictScalars` without mapping any scalar by hand (docs/clients.md,
 * "GraphQL Code Generator").
 */
import { readFileSync } from 'node:fs';
import {
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { CITY_SCALARS } from '../subgraph-kit/scalars.js';
import { apiSchemaOfSupergraph } from './composition/index.js';

/** The committed supergraph, at this repository's root. */
const SUPERGRAPH = new URL('../../supergraph.graphql', import.meta.url);

/**
 * The API schema of a supergraph.
 * @param supergraphSdl the supergraph; @default the committed supergraph.graphql
 */
export function cityClientSchema(
  supergraphSdl: string = readFileSync(SUPERGRAPH, 'utf8'),
): GraphQLSchema {
  return apiSchemaOfSupergraph(supergraphSdl);
}

/**
 * GraphQL Code Generator's `scalars` for the city graph: each custom scalar
 * of `schema` with the `codegenScalarType` its definition declares. Throws
 * when a custom scalar has none, so a new scalar cannot reach apps untyped.
 */
export function cityCodegenScalars(
  schema: GraphQLSchema = cityClientSchema(),
): Record<string, string> {
  const scalars: Record<string, string> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isScalarType(type) || isSpecifiedScalarType(type)) continue;
    const declared = CITY_SCALARS.find((s) => s.name === type.name)?.extensions[
      'codegenScalarType'
    ];
    if (typeof declared !== 'string')
      throw new Error(
        `Scalar ${type.name} has no codegenScalarType in lib/subgraph-kit/scalars.ts (CITY_SCALARS): declare the TypeScript type its values serialize to.`,
      );
    scalars[type.name] = declared;
  }
  return scalars;
}
