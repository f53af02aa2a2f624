/**
 * A department that is down costs its own fields, not the graph (issue 9,
 * finding 1): every root field is nullable, so a failed subgraph fetch nulls
 * its root fields only, never the whole `data` beside the other departments'
 * answers (docs/decisions/0008-root-fields-nullable.md).
 *
 * A refused field must cost only itself (issue 9, finding 8): a denied field
 * resolves to null, and a non-null one would null its parent, up to the
 * whole response (`accessRules: [AccessRule!]!` asked without `audit:read`
 * nulled the districts beside it). So every field that can be refused while
 * a sibling is served, because its rule asks more than a sibling's, must be
 * nullable. A field that every caller served a sibling may also see (e.g.
 * each field of `AuditEvent`, all under the type's `audit:read`) may be
 * non-null: it is served or refused with its parent.
 */
import { readFileSync } from 'node:fs';
import {
  getNamedType,
  isEnumType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  evaluateAccess,
  readAccessRules,
  type AccessRequirement,
  type AccessRule,
} from '../../lib/records/access/index.js';
import {
  anonymousViewer,
  createViewer,
  type Viewer,
} from '../../lib/runtime/viewer.js';
import { apiSchemaOfSupergraph } from '../../lib/tooling/composition/index.js';

const sdl = readFileSync(
  new URL('../../supergraph.graphql', import.meta.url),
  'utf8',
);

/** `Type.field` of every non-null field of an object type. */
function nonNullFields(source: string): Set<string> {
  const found = new Set<string>();
  for (const definition of parse(source).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION
    )
      continue;
    for (const field of definition.fields ?? [])
      if (field.type.kind === Kind.NON_NULL_TYPE)
        found.add(`${definition.name.value}.${field.name.value}`);
  }
  return found;
}

/** The least-privileged callers a requirement serves: one per AND group of scopes and of policies. */
function minimalViewers(requirement: AccessRequirement): Viewer[] {
  const scopeGroups = requirement.scopes.length ? requirement.scopes : [[]];
  const policyGroups = requirement.policies.length
    ? requirement.policies
    : [[]];
  const viewers = [anonymousViewer];
  for (const scopes of scopeGroups)
    for (const policies of policyGroups)
      viewers.push(createViewer('caller', scopes, policies));
  return viewers.filter((v) => evaluateAccess(requirement, v).allowed);
}

/**
 * Protected non-null fields that some caller is refused while being served
 * a sibling field (of the same type).
 */
function refusableNonNullFields(
  rules: readonly AccessRule[],
  nonNull: ReadonlySet<string>,
): string[] {
  const byType = new Map<string, AccessRule[]>();
  for (const rule of rules)
    byType.set(rule.type, [...(byType.get(rule.type) ?? []), rule]);
  const offending: string[] = [];
  for (const fields of byType.values()) {
    const servedCallers = fields.flatMap((f) => minimalViewers(f.rule));
    for (const field of fields) {
      if (field.public || !nonNull.has(field.coordinate)) continue;
      if (servedCallers.some((v) => !evaluateAccess(field.rule, v).allowed))
        offending.push(field.coordinate);
    }
  }
  return offending.sort();
}

describe('protected fields of the supergraph', () => {
  it('are nullable wherever one can be refused while a sibling is served', () => {
    expect(
      refusableNonNullFields(readAccessRules(sdl).fields, nonNullFields(sdl)),
    ).toEqual([]);
  });

  it('catches a non-null protected root field beside public ones (the check can fail)', () => {
    const broken = sdl.replace(
      /accessRules\(filter: AccessRuleFilter\): \[AccessRule!\]/,
      'accessRules(filter: AccessRuleFilter): [AccessRule!]!',
    );
    expect(broken).not.toBe(sdl);
    expect(
      refusableNonNullFields(
        readAccessRules(broken).fields,
        nonNullFields(broken),
      ),
    ).toContain('Query.accessRules');
  });
});

describe('root fields of the supergraph', () => {
  it('are all nullable, so one department down nulls its own root fields only', () => {
    const roots = [...nonNullFields(sdl)].filter((c) =>
      /^(Query|Mutation)\./.test(c),
    );
    expect(roots).toEqual([]);
  });
});

/**
 * One bad argument costs its own field (issue 18): a resolver refuses an
 * invalid argument with BAD_USER_INPUT (docs/errors.md), and a non-null field
 * would pass that null up to its parent (a station's `readings(first: 1000)`
 * nulled the station, and the list of stations around it). So every field
 * that takes an argument whose value the resolver checks (anything but an
 * enum or a Boolean, which GraphQL validation checks before execution) is
 * nullable.
 */
function nonNullFieldsWithCheckedArguments(source: string): string[] {
  const api = apiSchemaOfSupergraph(source);
  const offending: string[] = [];
  for (const type of Object.values(api.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isNonNullType(field.type)) continue;
      const checked = field.args.filter((arg) => {
        const named = getNamedType(arg.type);
        return !isEnumType(named) && named.name !== 'Boolean';
      });
      if (checked.length > 0) offending.push(`${type.name}.${field.name}`);
    }
  }
  return offending.sort();
}

describe('fields with arguments', () => {
  it('are nullable wherever a resolver checks an argument, so a bad one costs that field only', () => {
    expect(nonNullFieldsWithCheckedArguments(sdl)).toEqual([]);
  });

  it('catches a non-null connection field with paging arguments (the check can fail)', () => {
    // TrafficSensor.readings is the second field of that type in the file
    // (after Query.trafficReadings).
    let seen = 0;
    const broken = sdl.replace(
      /\): TrafficFlowReadingConnection @join__field/g,
      (match) =>
        ++seen === 2 ? match.replace('Connection', 'Connection!') : match,
    );
    expect(broken).not.toBe(sdl);
    expect(nonNullFieldsWithCheckedArguments(broken)).toContain(
      'TrafficSensor.readings',
    );
  });
});
