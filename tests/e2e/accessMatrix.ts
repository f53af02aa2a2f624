/**
 * The access matrix, derived from the rules: every protected field of the
 * composed supergraph (read with the same reader auditors use) is requested
 * through the gateway anonymously, with an identity but no scope, and with
 * every scope. A rule added to any schema later is tested here without
 * anyone writing a test for it. The operations are built from the schema the
 * gateway serves to anyone (introspection), as an attacker would build them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readAccessRules,
  type AccessRule,
} from '../../lib/records/access/index.js';
import {
  ALL_SCOPES,
  Purpose,
  PURPOSE_HEADER,
} from '../../lib/runtime/roles.js';
import type { CityGraph, GraphQLResponse } from './cityGraph.js';

const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

/** The citizen whose report the matrix files and reads, so their access report has a read. */
const MATRIX_CITIZEN = 'matrix-citizen';

/** A literal for an argument of type `type`, valid for the type system (not necessarily for the resolver). */
function literal(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(type.ofType);
  if (isListType(type)) return `[${literal(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]?.name ?? 'null';
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) =>
      isNonNullType(f.type),
    );
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'false';
      case 'DateTime':
        return '"2026-11-20T00:00:00Z"';
      default:
        return '"x"';
    }
  }
  return 'null';
}

/** Arguments: required ones filled, and small pages where a list takes `first`. */
function argumentsOf(args: readonly GraphQLArgument[]): string {
  const parts = args
    .filter((a) => isNonNullType(a.type))
    .map((a) =>
      // The account whose personal data the matrix reads in its setup.
      a.name === 'subject'
        ? `${a.name}: "${MATRIX_CITIZEN}"`
        : `${a.name}: ${literal(a.type)}`,
    );
  if (
    args.some((a) => a.name === 'first') &&
    !parts.some((p) => p.startsWith('first:'))
  )
    parts.push('first: 5');
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

/** The selection set of a field's result: `__typename` for objects, nothing for leaves. */
function leafSelection(field: GraphQLField<unknown, unknown>): string {
  return isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
}

/** Shortest path of fields from Query to `target` whose arguments are all optional (BFS). */
function pathTo(
  schema: GraphQLSchema,
  target: string,
  withArguments = false,
): GraphQLField<unknown, unknown>[] | null {
  const query = schema.getQueryType();
  if (!query) return null;
  const queue: {
    type: GraphQLObjectType;
    path: GraphQLField<unknown, unknown>[];
  }[] = [{ type: query, path: [] }];
  const seen = new Set<string>([query.name]);
  while (queue.length > 0) {
    const { type, path } = queue.shift()!;
    if (type.name === target) return path;
    // Prefer fields without arguments, then lists of things, for data to be there.
    for (const field of Object.values(type.getFields())) {
      if (!withArguments && field.args.some((a) => isNonNullType(a.type)))
        continue;
      const next = getNamedType(field.type);
      if (!isObjectType(next) || seen.has(next.name)) continue;
      seen.add(next.name);
      queue.push({ type: next, path: [...path, field] });
    }
  }
  return null;
}

/** An operation that reaches a protected field, and the response path of that field. */
export interface MatrixOperation {
  query: string;
  path: string[];
}

/** The operation that reaches a protected field, or null when no path exists. */
export function operationFor(
  schema: GraphQLSchema,
  rule: AccessRule,
): MatrixOperation | null {
  const mutation = schema.getMutationType();
  if (mutation && rule.type === mutation.name) {
    const field = mutation.getFields()[rule.field];
    if (!field) return null;
    return {
      query: `mutation { ${field.name}${argumentsOf(field.args)}${leafSelection(field)} }`,
      path: [field.name],
    };
  }
  const type = schema.getType(rule.type);
  if (!isObjectType(type)) return null;
  const field = type.getFields()[rule.field];
  if (!field) return null;
  // Through fields with required arguments only when nothing else leads there
  // (a citizen's access report needs the citizen's account).
  const route =
    rule.type === schema.getQueryType()?.name
      ? []
      : (pathTo(schema, rule.type) ?? pathTo(schema, rule.type, true));
  if (!route) return null;
  let selection = `${field.name}${argumentsOf(field.args)}${leafSelection(field)} __typename`;
  for (const step of [...route].reverse())
    selection = `${step.name}${argumentsOf(step.args)} { ${selection} }`;
  return {
    query: `{ ${selection} }`,
    path: [...route.map((step) => step.name), field.name],
  };
}

/** Every value at response path `path` in `data`, through lists; a null on the way ends that branch. */
function valuesAt(
  data: unknown,
  path: readonly string[],
  out: unknown[] = [],
): unknown[] {
  if (Array.isArray(data)) {
    for (const item of data) valuesAt(item, path, out);
    return out;
  }
  const [head, ...rest] = path;
  if (
    head === undefined ||
    !data ||
    typeof data !== 'object' ||
    !(head in data)
  )
    return out;
  const value = (data as Record<string, unknown>)[head];
  if (rest.length === 0) out.push(value);
  else valuesAt(value, rest, out);
  return out;
}

const codes = (response: GraphQLResponse) =>
  (response.errors ?? []).map((e) => e.extensions?.['code']);

/** Registers the matrix tests against the running graph returned by `graph()`. */
export function defineAccessMatrix(graph: () => CityGraph): void {
  const supergraph = readFileSync(
    path.resolve(import.meta.dirname, '../../supergraph.graphql'),
    'utf8',
  );
  // Subscription fields are served over WebSocket and SSE, not POST: their
  // rules are tested there (tests/e2e/live.e2e.test.ts).
  const rules = readAccessRules(supergraph).fields.filter(
    (r) => !r.public && r.type !== 'Subscription',
  );

  describe('access matrix derived from the supergraph rules', () => {
    let schema: GraphQLSchema;
    let everything: string;
    let noScope: string;

    beforeAll(async () => {
      // What any anonymous caller can learn: the whole schema, protected fields included.
      const introspection = await graph().query(getIntrospectionQuery());
      expect(introspection.errors).toBeUndefined();
      schema = buildClientSchema(
        introspection.data as unknown as IntrospectionQuery,
      );
      everything = await graph().token('matrix-admin', [...ALL_SCOPES]);
      noScope = await graph().token('matrix-nobody', []);
      // A citizen's report, read for its personal data: their access report
      // (personalDataAccessReport) then has a read to show.
      const filed = await graph().query(
        'mutation { submitCitizenReport(input: { serviceCode: "voirie-chaussee", description: "Chaussée déformée devant le numéro 8.", location: { lat: 43.2965, lon: 5.3698 }, reporter: { name: "Matrix", email: "matrix@example.org" } }) { id } }',
        {},
        { token: await graph().token(MATRIX_CITIZEN, ['citizen']) },
      );
      expect(filed.errors).toBeUndefined();
      const read = await graph().query(
        'query($id: ID!) { citizenReport(id: $id) { reporterEmail } }',
        { id: (filed.data?.['submitCitizenReport'] as { id: string }).id },
        { token: everything, headers: { [PURPOSE_HEADER]: Purpose.AUDIT } },
      );
      expect(read.errors).toBeUndefined();
    });

    it('finds protected fields in every department', () => {
      expect(rules.length).toBeGreaterThan(20);
      const owners = new Set(rules.flatMap((r) => r.subgraphs));
      for (const name of [
        'mobility',
        'environment',
        'economy',
        'engagement',
        'governance',
      ])
        expect(owners).toContain(name);
    });

    it.each(rules.map((r) => [r.coordinate, r] as const))(
      '%s: denied without the rule, allowed with it',
      async (_, rule) => {
        const operation = operationFor(schema, rule);
        expect(
          operation,
          `no operation reaches ${rule.coordinate}`,
        ).not.toBeNull();
        const { query, path: fieldPath } = operation as MatrixOperation;
        const isMutation = query.startsWith('mutation');

        // Anonymous: never the data, always UNAUTHENTICATED.
        const anonymous = await graph().query(query);
        expect(codes(anonymous), `anonymous ${rule.coordinate}`).toContain(
          'UNAUTHENTICATED',
        );
        if (!isMutation)
          for (const value of valuesAt(anonymous.data, fieldPath))
            expect(value).toBeNull();

        // An identity without scopes: FORBIDDEN unless the rule asks only for an identity.
        const needsMore =
          rule.rule.scopes.length > 0 || rule.rule.policies.length > 0;
        const bare = await graph().query(query, {}, { token: noScope });
        if (needsMore) {
          expect(codes(bare), `no-scope ${rule.coordinate}`).toContain(
            'FORBIDDEN',
          );
          if (!isMutation)
            for (const value of valuesAt(bare.data, fieldPath))
              expect(value).toBeNull();
        } else {
          expect(codes(bare).filter((c) => DENIED.has(c as string))).toEqual(
            [],
          );
        }

        // Every scope: no denial anywhere, and the field was reached.
        // Personal data: for a purpose every scope's holder (admin) has.
        const allowed = await graph().query(
          query,
          {},
          {
            token: everything,
            headers: { [PURPOSE_HEADER]: Purpose.AUDIT },
          },
        );
        expect(
          codes(allowed).filter((c) => DENIED.has(c as string)),
          `allowed ${rule.coordinate}`,
        ).toEqual([]);
        if (!isMutation)
          expect(
            valuesAt(allowed.data, fieldPath).length,
            `${rule.coordinate} reached`,
          ).toBeGreaterThan(0);
      },
    );
  });
}
