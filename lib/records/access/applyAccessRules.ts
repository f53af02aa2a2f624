/**
 * Enforcement of the Federation 2 authorization directives in the subgraph,
 * which owns the data. @apollo/gateway does not enforce `@authenticated`,
 * `@requiresScopes` or `@policy` (only Apollo's Router does), so each
 * subgraph wraps its resolvers here. Semantics: see ./accessRequirement.ts and
 * https://www.apollographql.com/docs/graphos/routing/security/authorization
 *
 * - Every field whose effective requirement (its own directives AND its
 *   type's AND its return named type's) is not public gets a wrapper: a
 *   denied field never calls the original resolver (so never touches the
 *   database), resolves to null, and reports one GraphQL error with
 *   `extensions.code` UNAUTHENTICATED or FORBIDDEN and `extensions.coordinate`.
 * - `Query._entities`: a representation whose `__typename` names a
 *   protected type the caller may not see resolves to null with the error;
 *   allowed representations of the same batch resolve normally, and the
 *   denied ones never reach `__resolveReference`.
 * - Errors are reported once per field per response path (list indices
 *   ignored) and once per entity type per request: a list of 100 reports
 *   with a denied `reporterEmail` gives 100 nulls and one error. A denied
 *   non-null field must still raise at each occurrence (GraphQL null
 *   propagation), so protected fields should be nullable.
 *
 * - Every decision is also recorded for the request's enforcement report
 *   (./enforcementReport.ts): the coordinate, `allowed` or `denied`, and the
 *   rule in words; a {@link DocumentRuleError} thrown by the resolver is a
 *   denial by its document rule instead. Each record a protected field is
 *   served on is named by its type and key (its `@key`, else `id`), with the
 *   account it is about when the department declares it (`dataSubjects`).
 *
 * The caller is `context.viewer` (lib/runtime/viewer.ts); a context without a valid
 * viewer is treated as anonymous (fail closed).
 */
import { counter } from '../../runtime/metrics.js';
import {
  defaultFieldResolver,
  isNonNullType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { Path } from 'graphql/jsutils/Path.js';
import {
  ErrorCode,
  ForbiddenError,
  UnauthenticatedError,
  type GraphQLErrorWithCode,
} from '../../runtime/errors.js';
import { PURPOSE_HEADER, purposesForScopes } from '../../runtime/roles.js';
import { anonymousViewer, type Viewer } from '../../runtime/viewer.js';
import {
  describeAccessRequirement,
  evaluateAccess,
  type AccessRequirement,
} from './accessRequirement.js';
import {
  DocumentRuleError,
  recordDecision,
  recordDocumentRuleError,
  recordServedRecord,
} from './enforcementReport.js';
import {
  readAccessRules,
  type AccessRule,
  type ReadAccessRulesOptions,
} from './readAccessRules.js';

const accessDenials = counter(
  'access_denials_total',
  'Fields and entities refused by an access rule, by rule (what it requires) and code (UNAUTHENTICATED, FORBIDDEN).',
  ['rule', 'code'],
);

/**
 * Who a record of a type is about: the account (`sub`) of the person, or
 * null (a report filed without an account).
 */
export type DataSubjectOf = (record: unknown) => string | null | undefined;

/** Options of {@link applyAccessRules}. */
export interface ApplyAccessRulesOptions extends ReadAccessRulesOptions {
  /**
   * Per type, who its records are about, so the audit trail can answer a
   * citizen's access request (docs/access-control.md): e.g. a citizen
   * report's `submittedBy`.
   * @default {} (no record names its subject)
   */
  readonly dataSubjects?: Readonly<Record<string, DataSubjectOf>>;
}

const applied = new WeakSet<GraphQLSchema>();
// Per request (context object): the denials already reported.
const reported = new WeakMap<object, Set<string>>();

function viewerOf(context: unknown): Viewer {
  if (typeof context !== 'object' || context === null) return anonymousViewer;
  const viewer = (context as { viewer?: unknown }).viewer;
  if (
    typeof viewer === 'object' &&
    viewer !== null &&
    'subject' in viewer &&
    (viewer.subject === null || typeof viewer.subject === 'string') &&
    'scopes' in viewer &&
    viewer.scopes instanceof Set &&
    'policies' in viewer &&
    viewer.policies instanceof Set
  ) {
    return viewer as Viewer;
  }
  return anonymousViewer;
}

/** The message of a denial: `Access to CitizenReport.reporterEmail requires scope engagement:pii`. */
export function accessDeniedMessage(
  coordinate: string,
  requirement: AccessRequirement,
): string {
  return `Access to ${coordinate} requires ${describeAccessRequirement(requirement)}`;
}

/** The error of a denial, with `extensions.code` and `extensions.coordinate`. */
export function accessDeniedError(
  code: typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN,
  coordinate: string,
  requirement: AccessRequirement,
): GraphQLErrorWithCode {
  const message = accessDeniedMessage(coordinate, requirement);
  accessDenials.inc({ rule: describeAccessRequirement(requirement), code });
  return code === ErrorCode.UNAUTHENTICATED
    ? new UnauthenticatedError(message, { coordinate })
    : new ForbiddenError(message, { coordinate });
}

// Whether this denial is the first of its kind in the request.
function firstReport(context: unknown, key: string): boolean {
  if (typeof context !== 'object' || context === null) return true;
  let keys = reported.get(context);
  if (!keys) {
    keys = new Set();
    reported.set(context, keys);
  }
  if (keys.has(key)) return false;
  keys.add(key);
  return true;
}

function pathKey(path: Path | undefined): string {
  const keys: string[] = [];
  for (let node = path; node; node = node.prev) {
    if (typeof node.key === 'string') keys.push(node.key);
  }
  return keys.reverse().join('.');
}

/**
 * Why `viewer` may not read personal data at `coordinate` for the purpose
 * it declared (GDPR art. 5(1)(b)), or null when it may: a purpose must be
 * declared, and be one of its role's (lib/runtime/roles.ts).
 */
export function purposeRefusal(
  coordinate: string,
  viewer: Viewer,
): string | null {
  const allowed = [...purposesForScopes(viewer.scopes)].sort();
  const list =
    allowed.length > 0
      ? `your role's purposes are ${allowed.join(', ')}`
      : 'your role has no purpose for personal data';
  const declared = viewer.purpose ?? null;
  if (declared === null) {
    return `${coordinate} is personal data: declare the purpose of this request in the ${PURPOSE_HEADER} header (${list}).`;
  }
  if (!(allowed as string[]).includes(declared)) {
    return `${coordinate} is personal data and may not be read for the purpose "${declared}": ${list}.`;
  }
  return null;
}

/** How a guarded field names the record it is served on (see {@link guardField}). */
interface RecordNaming {
  /** The key field's resolver of the parent type, or null when the type has no key. */
  readonly keyOf: GraphQLFieldResolver<unknown, unknown> | null;
  readonly subjectOf: DataSubjectOf | undefined;
}

function keyValue(value: unknown): string | null {
  return typeof value === 'string'
    ? value
    : typeof value === 'number'
      ? String(value)
      : null;
}

function guardField(
  rule: AccessRule,
  naming: RecordNaming,
  resolve: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  const { coordinate, rule: requirement } = rule;
  const ruleText = describeAccessRequirement(requirement);
  // Personal data also needs a declared purpose its caller's role allows.
  const purposeRule = rule.personalData
    ? `${ruleText}; a declared purpose of the caller's role`
    : ruleText;
  const served = (
    source: unknown,
    context: unknown,
    info: GraphQLResolveInfo,
  ) => {
    recordDecision(context, {
      coordinate,
      decision: 'allowed',
      rule: rule.personalData
        ? `${ruleText}; purpose ${viewerOf(context).purpose ?? ''}`
        : ruleText,
    });
    if (!naming.keyOf || typeof source !== 'object' || source === null) return;
    const id = keyValue(naming.keyOf(source, {}, context, info));
    if (id === null) return;
    recordServedRecord(context, {
      type: rule.type,
      id,
      subject: naming.subjectOf?.(source) ?? null,
      field: coordinate,
      personalData: rule.personalData,
    });
  };
  const failed = (
    error: unknown,
    context: unknown,
    info: GraphQLResolveInfo,
  ): never => {
    // A document rule refused what the schema rule allowed: that refusal
    // decided. Any other failure (not found, bad input) was still allowed.
    if (error instanceof DocumentRuleError)
      recordDocumentRuleError(context, error);
    else served(null, context, info);
    throw error;
  };
  return (source, args, context, info) => {
    const viewer = viewerOf(context);
    const decision = evaluateAccess(requirement, viewer);
    const refusal =
      decision.allowed && rule.personalData
        ? purposeRefusal(coordinate, viewer)
        : null;
    if (refusal) {
      recordDecision(context, {
        coordinate,
        decision: 'denied',
        rule: purposeRule,
      });
      if (
        !isNonNullType(info.returnType) &&
        !firstReport(context, `field:${pathKey(info.path)}`)
      ) {
        return null;
      }
      accessDenials.inc({ rule: 'purpose', code: ErrorCode.FORBIDDEN });
      throw new ForbiddenError(refusal, { coordinate });
    }
    if (decision.allowed) {
      let result: unknown;
      try {
        result = resolve(source, args, context, info);
      } catch (error) {
        return failed(error, context, info);
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          (value) => {
            served(source, context, info);
            return value;
          },
          (error: unknown) => failed(error, context, info),
        );
      }
      served(source, context, info);
      return result;
    }
    recordDecision(context, { coordinate, decision: 'denied', rule: ruleText });
    if (
      !isNonNullType(info.returnType) &&
      !firstReport(context, `field:${pathKey(info.path)}`)
    ) {
      return null;
    }
    throw accessDeniedError(decision.code, coordinate, requirement);
  };
}

interface Representation {
  readonly __typename?: unknown;
}

function guardEntities(
  typeRules: ReadonlyMap<string, AccessRequirement>,
  keys: ReadonlyMap<string, readonly string[]>,
  resolve: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info: GraphQLResolveInfo) => {
    const representations = (args as { representations?: unknown })
      .representations;
    if (!Array.isArray(representations)) {
      return resolve(source, args, context, info);
    }
    const viewer = viewerOf(context);
    const denials = representations.map((representation: unknown) => {
      const typename = (representation as Representation | null)?.__typename;
      if (typeof typename !== 'string') return undefined;
      const requirement = typeRules.get(typename);
      if (!requirement) return undefined;
      const rule = describeAccessRequirement(requirement);
      const decision = evaluateAccess(requirement, viewer);
      recordDecision(context, {
        coordinate: typename,
        decision: decision.allowed ? 'allowed' : 'denied',
        rule,
      });
      if (decision.allowed) {
        // A protected entity served by reference: its key is in the representation.
        const key = keys.get(typename) ?? ['id'];
        const id = key
          .map((field) =>
            keyValue((representation as Record<string, unknown>)[field]),
          )
          .join(' ');
        if (id.trim() !== '') {
          recordServedRecord(context, {
            type: typename,
            id,
            subject: null,
            field: typename,
            personalData: false,
          });
        }
        return undefined;
      }
      // Later denials of the same type in this request: null, no new error.
      return firstReport(context, `entity:${typename}`)
        ? accessDeniedError(decision.code, typename, requirement)
        : null;
    });
    if (denials.every((denial) => denial === undefined)) {
      return resolve(source, args, context, info);
    }
    const allowed = representations.filter(
      (_, index) => denials[index] === undefined,
    );
    const merge = (results: unknown): unknown[] => {
      const resolved = Array.isArray(results) ? results : [];
      let next = 0;
      // An Error item becomes a field error at `_entities.<index>`, null in data.
      return denials.map((denial) =>
        denial === undefined ? resolved[next++] : denial,
      );
    };
    if (allowed.length === 0) return merge([]);
    const results = resolve(
      source,
      { ...args, representations: allowed },
      context,
      info,
    );
    return isPromiseLike(results)
      ? Promise.resolve(results).then(merge)
      : merge(results);
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Enforces the schema's `@authenticated`, `@requiresScopes` and `@policy`
 * rules by wrapping resolvers in place (see the module comment). Applying it
 * twice to the same schema is a no-op.
 * @param schema The schema from `buildSubgraphSchema`.
 * @returns The same schema, now enforcing its rules.
 * @throws Error when a rule is malformed or names an unknown scope or policy.
 */
export function applyAccessRules(
  schema: GraphQLSchema,
  options: ApplyAccessRulesOptions = {},
): GraphQLSchema {
  if (applied.has(schema)) return schema;
  const rules = readAccessRules(schema, options);
  const dataSubjects = options.dataSubjects ?? {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    const keyFields =
      rules.keys.get(type.name) ?? (fields['id'] ? ['id'] : null);
    const keyField =
      keyFields?.length === 1 ? fields[keyFields[0] ?? ''] : undefined;
    const keyResolve = keyField?.resolve;
    const naming: RecordNaming = {
      // The key field's own resolver (before it is wrapped), so the key
      // reads as the client would read it, run as that field: never the
      // guarded field's resolver or name, whose value is what is protected.
      keyOf: !keyField
        ? null
        : keyResolve
          ? (source, args, context, info) =>
              keyResolve(source, args, context, {
                ...info,
                fieldName: keyField.name,
              })
          : (source) => (source as Record<string, unknown>)[keyField.name],
      subjectOf: dataSubjects[type.name],
    };
    for (const field of Object.values(fields)) {
      const rule = rules.byCoordinate.get(`${type.name}.${field.name}`);
      if (!rule || rule.public) continue;
      field.resolve = guardField(
        rule,
        naming,
        field.resolve ?? defaultFieldResolver,
      );
    }
  }
  const entities = schema.getQueryType()?.getFields()['_entities'];
  if (entities && rules.types.size > 0) {
    entities.resolve = guardEntities(
      rules.types,
      rules.keys,
      entities.resolve ?? defaultFieldResolver,
    );
  }
  applied.add(schema);
  return schema;
}
