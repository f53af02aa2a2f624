/**
 * What a subgraph enforced in one request, reported to the gateway so the
 * audit event says what the owner of the data actually decided, not what
 * the gateway expected (issue 14):
 *
 * - every protected coordinate it evaluated, with the decision and the rule
 *   that decided: a schema rule (`scope engagement:pii`) or a document rule
 *   a resolver applied to the data itself (`document rule
 *   canControlTrafficLight: ...`, thrown as a {@link DocumentRuleError});
 * - the key (entity type and key, never a value of the record) of every
 *   record on which it served a protected field, with the protected fields
 *   served on it and, where the department declares it, the account (`sub`)
 *   of the person the record is about.
 *
 * The report travels in the subgraph's response under
 * `extensions.cityAccess` ({@link ENFORCEMENT_EXTENSION}); the gateway's
 * data source takes it out before anything reaches the client.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ForbiddenError } from '../../runtime/errors.js';

/** The response-extensions key of the report (subgraph → gateway only). */
export const ENFORCEMENT_EXTENSION = 'cityAccess';

/** One protected coordinate as the subgraph decided it. */
export interface EnforcedDecision {
  /** `Type.field`, or a type name for an entity reference (`_entities`). */
  readonly coordinate: string;
  readonly decision: 'allowed' | 'denied';
  /** The rule that decided, in words: `scope engagement:pii`, `document rule ...`. */
  readonly rule: string;
}

/** A protected record the subgraph served: its key, never its values. */
export interface ProtectedRecordKey {
  /** The GraphQL type, e.g. `CitizenReport`. */
  readonly type: string;
  /** The value of its key field(s) (`@key`, else `id`), e.g. `eng-cr-00042`. */
  readonly id: string;
  /** The account (`sub`) the record is about, when the department declares one; else null. */
  readonly subject: string | null;
  /** The protected fields served on it (coordinates), sorted. */
  readonly fields: readonly string[];
  /** Whether one of those fields is personal data. */
  readonly personalData: boolean;
}

/** What one subgraph reports for one request. */
export interface EnforcementReport {
  readonly decisions: readonly EnforcedDecision[];
  readonly records: readonly ProtectedRecordKey[];
}

/**
 * A refusal decided by a document rule: a resolver's check of the data
 * itself (a light under maintenance), which no directive can express. It is
 * a FORBIDDEN error like any other for the caller, and the enforcement
 * report records it as a denial of its coordinate with `rule`.
 */
export class DocumentRuleError extends ForbiddenError {
  /** The rule in words, e.g. `document rule canControlTrafficLight: not under maintenance`. */
  readonly rule: string;
  /** The coordinate it denied, e.g. `Mutation.setSignalPlan`. */
  readonly deniedCoordinate: string;

  constructor(options: {
    /** The rule's name, e.g. the `can<Verb><Type>` predicate of access.ts. */
    readonly rule: string;
    readonly coordinate: string;
    readonly message: string;
  }) {
    super(options.message, { coordinate: options.coordinate });
    this.rule = `document rule ${options.rule}`;
    this.deniedCoordinate = options.coordinate;
  }
}

interface Collector {
  readonly decisions: Map<string, EnforcedDecision>;
  readonly records: Map<
    string,
    {
      type: string;
      id: string;
      subject: string | null;
      fields: Set<string>;
      personalData: boolean;
    }
  >;
  readonly reported: WeakSet<object>;
}

// Per request (context object).
const collectors = new WeakMap<object, Collector>();

function collectorOf(context: unknown): Collector | null {
  if (typeof context !== 'object' || context === null) return null;
  let collector = collectors.get(context);
  if (!collector) {
    collector = {
      decisions: new Map(),
      records: new Map(),
      reported: new WeakSet(),
    };
    collectors.set(context, collector);
  }
  return collector;
}

/** Records one decision of this request (each distinct coordinate, decision and rule once). */
export function recordDecision(
  context: unknown,
  decision: EnforcedDecision,
): void {
  const collector = collectorOf(context);
  if (!collector) return;
  const key = `${decision.coordinate}\u0000${decision.decision}\u0000${decision.rule}`;
  if (!collector.decisions.has(key)) collector.decisions.set(key, decision);
}

/** Records that a protected field was served on a record. */
export function recordServedRecord(
  context: unknown,
  record: {
    readonly type: string;
    readonly id: string;
    readonly subject: string | null;
    readonly field: string;
    readonly personalData: boolean;
  },
): void {
  const collector = collectorOf(context);
  if (!collector) return;
  const key = `${record.type}\u0000${record.id}`;
  let entry = collector.records.get(key);
  if (!entry) {
    entry = {
      type: record.type,
      id: record.id,
      subject: record.subject,
      fields: new Set(),
      personalData: false,
    };
    collector.records.set(key, entry);
  }
  entry.subject ??= record.subject;
  entry.fields.add(record.field);
  entry.personalData ||= record.personalData;
}

/** Records a document rule's refusal once (it may be seen by the field guard and by the plugin). */
export function recordDocumentRuleError(
  context: unknown,
  error: DocumentRuleError,
): void {
  const collector = collectorOf(context);
  if (!collector || collector.reported.has(error)) return;
  collector.reported.add(error);
  recordDecision(context, {
    coordinate: error.deniedCoordinate,
    decision: 'denied',
    rule: error.rule,
  });
}

/** The report of this request so far; null when nothing protected was evaluated. */
export function enforcementReportOf(
  context: unknown,
): EnforcementReport | null {
  const collector =
    typeof context === 'object' && context !== null
      ? collectors.get(context)
      : undefined;
  if (
    !collector ||
    (collector.decisions.size === 0 && collector.records.size === 0)
  ) {
    return null;
  }
  const byCoordinate = (a: EnforcedDecision, b: EnforcedDecision) =>
    a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0;
  return {
    decisions: [...collector.decisions.values()].sort(byCoordinate),
    records: [...collector.records.values()].map((entry) => ({
      type: entry.type,
      id: entry.id,
      subject: entry.subject,
      fields: [...entry.fields].sort(),
      personalData: entry.personalData,
    })),
  };
}

function documentRuleErrorIn(error: unknown): DocumentRuleError | null {
  for (let cause = error; cause;) {
    if (cause instanceof DocumentRuleError) return cause;
    cause = (cause as { originalError?: unknown }).originalError;
  }
  return null;
}

/**
 * The subgraph plugin that puts the request's {@link EnforcementReport} in
 * the response's `extensions.cityAccess`, document-rule refusals included
 * (whether or not the field also has a schema rule).
 */
export function enforcementReportPlugin<
  TContext extends BaseContext,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const rule = documentRuleErrorIn(error);
            if (rule) recordDocumentRuleError(contextValue, rule);
          }
        },
        async willSendResponse({ response, contextValue }) {
          const report = enforcementReportOf(contextValue);
          if (!report || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            [ENFORCEMENT_EXTENSION]: report,
          };
        },
      };
    },
  };
}

/** Whether a value has the shape of an {@link EnforcementReport} (the gateway checks what it is sent). */
export function isEnforcementReport(
  value: unknown,
): value is EnforcementReport {
  if (typeof value !== 'object' || value === null) return false;
  const { decisions, records } = value as Record<string, unknown>;
  return (
    Array.isArray(decisions) &&
    decisions.every(
      (d: unknown) =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as EnforcedDecision).coordinate === 'string' &&
        ((d as EnforcedDecision).decision === 'allowed' ||
          (d as EnforcedDecision).decision === 'denied') &&
        typeof (d as EnforcedDecision).rule === 'string',
    ) &&
    Array.isArray(records) &&
    records.every(
      (r: unknown) =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as ProtectedRecordKey).type === 'string' &&
        typeof (r as ProtectedRecordKey).id === 'string' &&
        ((r as ProtectedRecordKey).subject === null ||
          typeof (r as ProtectedRecordKey).subject === 'string') &&
        Array.isArray((r as ProtectedRecordKey).fields) &&
        typeof (r as ProtectedRecordKey).personalData === 'boolean',
    )
  );
}
