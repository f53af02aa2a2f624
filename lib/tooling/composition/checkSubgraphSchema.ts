/**
 * The schema check of one subgraph change (`npm run schema:check`, and
 * `schema:publish` before it writes): compose the candidate with the other
 * subgraphs; diff the resulting API schema against the committed
 * supergraph's with @graphql-inspector/core; look up, for each breaking
 * change, the operations and clients that used the affected coordinates
 * recently; and diff the access rules. Pure of I/O apart from the usage
 * store it is given, so tests call it directly.
 */
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  isInterfaceType,
  isObjectType,
  getNamedType,
  type GraphQLSchema,
  DirectiveLocation,
} from 'graphql';
import type {
  OperationUsage,
  UsageStore,
} from '../../records/usage/usageStore.js';
import { schemaFields } from '../../records/usage/schemaFields.js';
import {
  findAccessApproval,
  findSchemaApproval,
  type Approval,
} from './approvals.js';
import {
  apiSchemaOfSupergraph,
  composeSupergraph,
  type CompositionProblem,
} from './composeSupergraph.js';
import { diffAccessRules, type AccessRuleChange } from './diffAccessRules.js';
import type { SubgraphSource } from './supergraphConfig.js';

/** Usage available to the check, or why it is not. */
export type CheckUsage =
  | {
      readonly known: true;
      readonly store: Pick<UsageStore, 'operationsUsing'>;
    }
  | { readonly known: false; readonly reason: string };

/** Input of {@link checkSubgraphSchema}. */
export interface CheckSubgraphSchemaInput {
  /** The subgraph changed, e.g. `mobility`. */
  readonly subgraph: string;
  /** Every subgraph, with the candidate's SDL in place of the changed one's. */
  readonly subgraphs: readonly SubgraphSource[];
  /** The committed supergraph.graphql; undefined when there is none yet. */
  readonly committedSupergraphSdl: string | undefined;
  readonly usage: CheckUsage;
  /** How far back usage counts. @default 14 */
  readonly days?: number;
  /** governance/access-approvals.yaml */
  readonly accessApprovals?: readonly Approval[];
  /** governance/schema-approvals.yaml */
  readonly schemaApprovals?: readonly Approval[];
}

/** One change of the API schema. */
export interface SchemaChangeReport {
  /** inspector change type, e.g. `FIELD_REMOVED`. */
  readonly type: string;
  readonly message: string;
  readonly path: string | undefined;
  readonly criticality: 'breaking' | 'dangerous' | 'safe';
  /** Why inspector classes it so, when it says. */
  readonly reason: string | undefined;
  /** `Type.field` coordinates whose recorded use this change affects (breaking changes). */
  readonly coordinates: readonly string[];
  /** Recorded operations using those coordinates; undefined when usage is unknown. */
  readonly usage: readonly OperationUsage[] | undefined;
  /** The team's approval, for a breaking change in use. */
  readonly approval: Approval | undefined;
  /** Whether this change fails the check. */
  readonly fails: boolean;
}

/** An access-rule change with its verdict. */
export interface AccessChangeReport extends AccessRuleChange {
  /** The auditors' approval, for a weakening. */
  readonly approval: Approval | undefined;
  readonly fails: boolean;
}

/** The outcome of a check. */
export interface SchemaCheckReport {
  readonly subgraph: string;
  readonly days: number;
  /** True when nothing fails: exit 0. */
  readonly passed: boolean;
  /** Composition errors (empty when it composed). */
  readonly compositionErrors: readonly CompositionProblem[];
  /** Composition hints, informational. */
  readonly hints: readonly string[];
  /** Whether recorded usage could be read; if not, why. */
  readonly usageKnown: boolean;
  readonly usageUnknownReason: string | undefined;
  readonly changes: readonly SchemaChangeReport[];
  readonly accessChanges: readonly AccessChangeReport[];
  /** One line per reason the check fails. */
  readonly failures: readonly string[];
  /** One line per thing worth knowing that does not fail the check. */
  readonly notes: readonly string[];
  /** The composed supergraph, when composition succeeded (what publish writes). */
  readonly supergraphSdl: string | undefined;
}

const EXECUTABLE_LOCATIONS = new Set<string>([
  DirectiveLocation.QUERY,
  DirectiveLocation.MUTATION,
  DirectiveLocation.SUBSCRIPTION,
  DirectiveLocation.FIELD,
  DirectiveLocation.FRAGMENT_DEFINITION,
  DirectiveLocation.FRAGMENT_SPREAD,
  DirectiveLocation.INLINE_FRAGMENT,
  DirectiveLocation.VARIABLE_DEFINITION,
]);

function criticalityOf(
  change: Change,
  oldSchema: GraphQLSchema,
): SchemaChangeReport['criticality'] {
  const level = change.criticality.level;
  if (level === CriticalityLevel.Breaking) {
    // A type-system directive (e.g. @requiresScopes disappearing from the
    // API schema once no field uses it) cannot appear in an operation.
    if (change.path?.startsWith('@')) {
      const directive = oldSchema.getDirective(
        change.path.slice(1).split('.')[0] ?? '',
      );
      if (
        directive &&
        !directive.locations.some((location) =>
          EXECUTABLE_LOCATIONS.has(location),
        )
      )
        return 'safe';
    }
    return 'breaking';
  }
  return level === CriticalityLevel.Dangerous ? 'dangerous' : 'safe';
}

/** Fields (`Type.field`) that return `typeName` or take it as an argument, in `schema`. */
function fieldsReferencing(schema: GraphQLSchema, typeName: string): string[] {
  const result: string[] = [];
  for (const { field, coordinate } of schemaFields(schema)) {
    if (
      getNamedType(field.type).name === typeName ||
      field.args.some((arg) => getNamedType(arg.type).name === typeName)
    ) {
      result.push(coordinate);
    }
  }
  return result;
}

/**
 * The coordinates, as usage records them, that a change at `path` affects:
 * `Type.field[.arg]` → `Type.field`; an object type → all its fields; an
 * enum, input or scalar (or a value or input field of one) → the fields that
 * return it or take it as an argument.
 */
export function affectedCoordinates(
  path: string | undefined,
  oldSchema: GraphQLSchema,
): string[] {
  if (!path || path.startsWith('@')) return [];
  const [typeName = '', fieldName] = path.split('.');
  const type = oldSchema.getType(typeName);
  if (!type) return [];
  if (isObjectType(type) || isInterfaceType(type)) {
    return fieldName !== undefined
      ? [`${typeName}.${fieldName}`]
      : Object.keys(type.getFields()).map((f) => `${typeName}.${f}`);
  }
  // Enums, inputs and scalars are not recorded themselves: the fields that use them are.
  return fieldsReferencing(oldSchema, typeName);
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function describeUsage(usage: OperationUsage): string {
  const client = usage.clientName
    ? `${usage.clientName}${usage.clientVersion ? `@${usage.clientVersion}` : ''}`
    : 'an unnamed client';
  return `${usage.name ?? '(anonymous)'} [${usage.hash.slice(0, 12)}] from ${client}`;
}

/** Runs the check; see the module comment. */
export async function checkSubgraphSchema(
  input: CheckSubgraphSchemaInput,
): Promise<SchemaCheckReport> {
  const days = input.days ?? 14;
  const failures: string[] = [];
  const notes: string[] = [];
  const base = {
    subgraph: input.subgraph,
    days,
    usageKnown: input.usage.known,
    usageUnknownReason: input.usage.known ? undefined : input.usage.reason,
  };
  if (!input.subgraphs.some((subgraph) => subgraph.name === input.subgraph)) {
    throw new Error(
      `Unknown subgraph "${input.subgraph}": supergraph.yaml lists ${input.subgraphs.map((s) => s.name).join(', ')}`,
    );
  }

  const composed = composeSupergraph(input.subgraphs);
  if (!composed.ok) {
    failures.push(
      `The candidate does not compose with the other subgraphs (${composed.errors.length} error${composed.errors.length === 1 ? '' : 's'}).`,
    );
    return {
      ...base,
      passed: false,
      compositionErrors: composed.errors,
      hints: [],
      changes: [],
      accessChanges: [],
      failures,
      notes,
      supergraphSdl: undefined,
    };
  }

  if (input.committedSupergraphSdl === undefined) {
    notes.push(
      'There is no committed supergraph.graphql yet: nothing to compare with; publishing creates it.',
    );
    return {
      ...base,
      passed: true,
      compositionErrors: [],
      hints: composed.hints,
      changes: [],
      accessChanges: [],
      failures,
      notes,
      supergraphSdl: composed.supergraphSdl,
    };
  }
  const oldApi = apiSchemaOfSupergraph(input.committedSupergraphSdl);
  const inspected = await diff(oldApi, composed.apiSchema);

  const pending = inspected.map((change) => {
    const criticality = criticalityOf(change, oldApi);
    return {
      change,
      criticality,
      coordinates:
        criticality === 'breaking'
          ? [...new Set(affectedCoordinates(change.path, oldApi))].sort()
          : [],
    };
  });
  const breakingCoordinates = [
    ...new Set(pending.flatMap((entry) => entry.coordinates)),
  ];
  const usageByCoordinate =
    input.usage.known && breakingCoordinates.length > 0
      ? await input.usage.store.operationsUsing(breakingCoordinates, days)
      : new Map<string, OperationUsage[]>();

  const changes: SchemaChangeReport[] = pending.map(
    ({ change, criticality, coordinates }) => {
      const reason = change.criticality.reason;
      const common = {
        type: String(change.type),
        message: sentence(change.message),
        path: change.path,
        criticality,
        reason,
        coordinates,
      };
      if (criticality !== 'breaking')
        return {
          ...common,
          usage: undefined,
          approval: undefined,
          fails: false,
        };
      if (!input.usage.known) {
        failures.push(
          `Breaking: ${common.message} Usage is unknown, so it may break a client.`,
        );
        return {
          ...common,
          usage: undefined,
          approval: undefined,
          fails: true,
        };
      }
      const seen = new Map<string, OperationUsage>();
      for (const coordinate of coordinates) {
        for (const usage of usageByCoordinate.get(coordinate) ?? [])
          seen.set(
            `${usage.hash}|${usage.clientName}|${usage.clientVersion}`,
            usage,
          );
      }
      const usage = [...seen.values()].sort((a, b) => b.count - a.count);
      if (usage.length === 0) {
        notes.push(
          `Breaking but unused: ${common.message} No operation recorded in the last ${days} days uses ${coordinates.join(', ') || 'it'}.`,
        );
        return { ...common, usage, approval: undefined, fails: false };
      }
      const approval = coordinates
        .map((coordinate) =>
          findSchemaApproval(
            input.schemaApprovals ?? [],
            input.subgraph,
            coordinate,
            common.type,
          ),
        )
        .find((found) => found !== undefined);
      const users = usage.slice(0, 5).map(describeUsage).join('; ');
      if (approval) {
        notes.push(
          `Breaking, in use, approved by ${approval.approvedBy} on ${approval.approvedAt}: ${common.message} Used by ${users}.`,
        );
        return { ...common, usage, approval, fails: false };
      }
      failures.push(
        `Breaking and in use: ${common.message} Used in the last ${days} days by ${users}${usage.length > 5 ? ` and ${usage.length - 5} more` : ''}.`,
      );
      return { ...common, usage, approval: undefined, fails: true };
    },
  );
  for (const change of changes) {
    if (change.criticality === 'dangerous')
      notes.push(
        `Dangerous: ${change.message}${change.reason ? ` (${change.reason})` : ''}`,
      );
  }

  const accessChanges: AccessChangeReport[] = diffAccessRules(
    input.committedSupergraphSdl,
    composed.supergraphSdl,
  ).map((change) => {
    if (change.effect === 'tightening') {
      notes.push(`Access tightened: ${change.message}`);
      return { ...change, approval: undefined, fails: false };
    }
    const approval = findAccessApproval(input.accessApprovals ?? [], change);
    if (approval) {
      notes.push(
        `Access weakened, approved by ${approval.approvedBy} on ${approval.approvedAt} (${approval.reason}): ${change.message}`,
      );
      return { ...change, approval, fails: false };
    }
    failures.push(
      `Access weakened: ${change.message} Needs an auditors' entry in governance/access-approvals.yaml with coordinate: ${change.coordinate}, change: ${change.change}.`,
    );
    return { ...change, approval: undefined, fails: true };
  });

  return {
    ...base,
    passed: failures.length === 0,
    compositionErrors: [],
    hints: composed.hints,
    changes,
    accessChanges,
    failures,
    notes,
    supergraphSdl: composed.supergraphSdl,
  };
}
