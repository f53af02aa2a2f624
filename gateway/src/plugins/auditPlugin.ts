/**
 * Records one audit event per operation the gateway receives (see
 * lib/audit): who asked (subject and scopes, never the token), from which
 * client, which operation (name and normalized-document hash, never variable
 * values), which protected fields it asked for and the decision for each,
 * which subgraphs were called, how it ended and how long it took.
 *
 * Fail closed: the event is written before the response leaves. If it cannot
 * be written and the operation asked for a protected field, the response is
 * replaced by one AUDIT_UNAVAILABLE error (no data); operations on public
 * fields only are served and the failure is logged.
 *
 * The decisions are the subgraphs' own (issue 14): each subgraph reports in
 * its response extensions which protected coordinates it evaluated, with the
 * decision and the rule that decided (document rules of its resolvers
 * included), and the keys of the protected records it served; the data
 * source collects those reports (`context.enforcement`) and this plugin
 * builds the event from them. The gateway's own reading of the supergraph
 * (lib/records/access `readAccessRules`) only tells, before executing,
 * whether an operation touches protected fields (so its event must be
 * written before the response leaves); a protected field asked for that no
 * subgraph evaluated is recorded `unevaluated`.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import {
  describeAccessRequirement,
  readAccessRules,
  type AccessRule,
  type EnforcementReport,
} from '../../../lib/records/access/index.js';
import type {
  AuditedRecord,
  AuditEventInput,
  AuditFieldDecision,
  AuditOutcome,
  AuditTrail,
} from '../../../lib/records/audit/index.js';
import {
  AuditUnavailableError,
  describeError,
  ErrorCode,
} from '../../../lib/runtime/errors.js';
import type { RefusedRequest } from '../../../lib/runtime/http.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import type { GatewayContext } from '../context.js';
import {
  cachedOperationSignature,
  operationSignature,
} from '../operationSignature.js';
import { concreteCoordinates } from '../concreteCoordinates.js';

/** The message of the AUDIT_UNAVAILABLE error. */
export const AUDIT_UNAVAILABLE_MESSAGE =
  'The audit store is unreachable, so protected data is not served: every access to protected fields must be recorded. Retry later; public fields are still available.';

/** The message of the AUDIT_UNAVAILABLE error of a write. */
export const AUDIT_UNAVAILABLE_WRITE_MESSAGE =
  'The audit store is unreachable, so no write is sent: every write must be recorded first. Nothing was changed; retry later.';

/**
 * The event of a request refused before anyone or anything in it was known:
 * no subject, no operation, only the refusal's code.
 */
function refusedEvent(
  at: Date,
  requestId: string,
  code: string,
): AuditEventInput {
  return {
    at,
    requestId,
    subject: null,
    scopes: [],
    clientName: null,
    clientVersion: null,
    operationName: null,
    documentHash: null,
    fields: [],
    subgraphs: [],
    outcome: 'refused',
    errorCodes: [code],
    durationMs: 0,
  };
}

/**
 * Records a request refused before GraphQL saw it (malformed HTTP, size and
 * token limits, rate limit, batching, CSRF): no subject is known (the
 * caller's token, if any, was not verified), only what was refused and why.
 */
export async function recordRefusal(
  trail: Pick<AuditTrail, 'record'>,
  refusal: RefusedRequest,
  logger: Logger,
  at: Date = new Date(),
): Promise<void> {
  try {
    await trail.record(refusedEvent(at, refusal.requestId, refusal.code));
  } catch (error) {
    logger.error(
      {
        requestId: refusal.requestId,
        err: describeError(error),
      },
      'audit event of a refusal not recorded',
    );
  }
}

/** Options of {@link auditPlugin}. */
export interface AuditPluginOptions {
  /** Where events go: `createAuditTrail({ connection, chainId: config.audit.chainId, logger })`. */
  readonly trail: Pick<AuditTrail, 'record'>;
  /** The supergraph SDL currently served (the rules are re-read when it changes). */
  readonly getSupergraphSdl: () => string;
  readonly logger: Logger;
  /**
   * Clock, for tests.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** The protected fields an operation asks for, with their rule text. */
interface ProtectedField {
  readonly coordinate: string;
  readonly rule: AccessRule;
}

/** What is known about one request by the time its response is sent. */
interface RequestState {
  readonly at: Date;
  readonly started: number;
  resolved: boolean;
  /** Execution started (not reached when a plugin refuses the resolved operation). */
  executing: boolean;
  /**
   * Refused after the operation was resolved, before it ran: a plugin threw
   * in `didResolveOperation` (the list cost priced with the request's
   * variables, listCost.ts; a subscription over plain HTTP), or this
   * plugin's own AUDIT_UNAVAILABLE for a write in `responseForOperation`.
   */
  refused: boolean;
  operationName: string | null;
  documentHash: string | null;
  protectedFields: readonly ProtectedField[];
  /** The rules could not be read: treat the operation as touching protected fields. */
  rulesUnknown: boolean;
}

const CACHE_LIMIT = 2000;

/** The audit plugin of the gateway (see the module comment). */
export function auditPlugin(
  options: AuditPluginOptions,
): ApolloServerPlugin<GatewayContext> {
  const { trail, logger } = options;
  const now = options.now ?? (() => new Date());

  // Rules per supergraph SDL: reparsed only when the supergraph changes.
  let rulesFor: { sdl: string; byCoordinate: Map<string, AccessRule> } | null =
    null;
  const currentRules = (): Map<string, AccessRule> => {
    const sdl = options.getSupergraphSdl();
    if (rulesFor?.sdl !== sdl) {
      rulesFor = {
        sdl,
        byCoordinate: new Map(readAccessRules(sdl).byCoordinate),
      };
    }
    return rulesFor.byCoordinate;
  };

  // Protected fields per (schema, rules, document): operations repeat.
  const analyses = new WeakMap<
    GraphQLSchema,
    WeakMap<
      Map<string, AccessRule>,
      Map<string, { hash: string; fields: ProtectedField[] }>
    >
  >();

  const analyse = (
    requestContext: GraphQLRequestContext<GatewayContext>,
  ): { hash: string; fields: ProtectedField[] } | null => {
    const { schema, document, operationName, queryHash } = requestContext;
    if (!document) return null;
    const rules = currentRules();
    let perSchema = analyses.get(schema);
    if (!perSchema) {
      perSchema = new WeakMap();
      analyses.set(schema, perSchema);
    }
    let perRules = perSchema.get(rules);
    if (!perRules) {
      perRules = new Map();
      perSchema.set(rules, perRules);
    }
    const key = `${queryHash ?? ''}:${operationName ?? ''}`;
    const cached = queryHash ? perRules.get(key) : undefined;
    if (cached) return cached;
    const signature = cachedOperationSignature(
      schema,
      document,
      operationName,
      queryHash,
    );
    const fields = new Map<string, ProtectedField>();
    for (const coordinate of signature.coordinates) {
      for (const concrete of concreteCoordinates(schema, coordinate)) {
        const rule = rules.get(concrete);
        if (rule && !rule.public)
          fields.set(concrete, { coordinate: concrete, rule });
      }
    }
    const result = {
      hash: signature.hash,
      fields: [...fields.values()].sort((a, b) =>
        a.coordinate < b.coordinate ? -1 : 1,
      ),
    };
    if (queryHash) {
      if (perRules.size >= CACHE_LIMIT) perRules.clear();
      perRules.set(key, result);
    }
    return result;
  };

  const write = async (
    event: AuditEventInput,
    requestLogger: Logger,
  ): Promise<boolean> => {
    try {
      await trail.record(event);
      return true;
    } catch (error) {
      requestLogger.error(
        {
          err: describeError(error),
          requestId: event.requestId,
        },
        'audit event not recorded',
      );
      return false;
    }
  };

  return {
    async contextCreationDidFail({ error }) {
      // The caller's token was refused before any context existed: record
      // the refusal with what is known (no subject, no operation).
      const extensions =
        (error as { extensions?: Record<string, unknown> }).extensions ?? {};
      const code =
        typeof extensions['code'] === 'string'
          ? extensions['code']
          : ErrorCode.UNAUTHENTICATED;
      const requestId =
        typeof extensions['requestId'] === 'string'
          ? extensions['requestId']
          : 'unknown';
      await write(refusedEvent(now(), requestId, code), logger);
    },

    async requestDidStart(startContext) {
      startContext.contextValue.audit.recorded = true;
      const state: RequestState = {
        at: now(),
        started: performance.now(),
        resolved: false,
        executing: false,
        refused: false,
        operationName: startContext.request.operationName ?? null,
        documentHash: null,
        protectedFields: [],
        rulesUnknown: false,
      };
      return {
        async didResolveOperation(requestContext) {
          // No operation to run (operationResolutionPlugin refuses it).
          if (!requestContext.operation) return;
          state.resolved = true;
          state.operationName = requestContext.operationName ?? null;
          try {
            const analysis = analyse(requestContext);
            if (analysis) {
              state.documentHash = analysis.hash;
              state.protectedFields = analysis.fields;
            }
          } catch (error) {
            state.rulesUnknown = true;
            requestContext.contextValue.logger.error(
              { err: describeError(error) },
              'audit: access rules of the supergraph could not be read; the operation is treated as protected',
            );
          }
        },

        async responseForOperation(requestContext) {
          // A write is recorded before it is sent: subgraphs accept a write
          // only with this link in its gateway token (lib/subgraph.ts), so
          // no write happens without an audit event, whatever follows. It
          // is recorded here, not in didResolveOperation: Apollo Server runs
          // every plugin's didResolveOperation together, so a write another
          // plugin refuses there (its list cost, say) would be recorded
          // `started` although it never ran; this hook runs only once all of
          // them have accepted the operation, before anything executes.
          if (requestContext.operation?.operation !== 'mutation') return null;
          const { contextValue } = requestContext;
          const viewer = contextValue.viewer;
          const recorded = await write(
            {
              at: state.at,
              requestId: contextValue.requestId,
              subject: viewer.subject,
              scopes: [...viewer.scopes].sort(),
              purpose: viewer.purpose ?? null,
              clientName: contextValue.clientName,
              clientVersion: contextValue.clientVersion,
              operationName: state.operationName,
              documentHash: state.documentHash,
              // Nothing is evaluated yet: the subgraphs decide when it runs.
              fields: enforcedFields(state.protectedFields, []),
              subgraphs: [],
              outcome: 'started',
              errorCodes: [],
              durationMs: performance.now() - state.started,
            },
            contextValue.logger,
          );
          if (recorded) {
            contextValue.auditedWrite = true;
            return null;
          }
          // Refused before it ran, with nothing sent: this hook's answer is
          // the response (errors thrown here would not be Apollo's 503).
          state.refused = true;
          requestContext.response.http.status = 503;
          return {
            http: requestContext.response.http,
            body: {
              kind: 'single',
              singleResult: {
                errors: [
                  new AuditUnavailableError(
                    AUDIT_UNAVAILABLE_WRITE_MESSAGE,
                  ).toJSON(),
                ],
              },
            },
          };
        },

        async executionDidStart() {
          state.executing = true;
        },

        async didEncounterErrors() {
          // Apollo Server runs every plugin's didResolveOperation together,
          // so this plugin marks the operation resolved before it knows
          // whether another one refuses it; errors before execution are
          // such a refusal (a cached answer skips execution, but reports no
          // errors here).
          if (state.resolved && !state.executing) state.refused = true;
        },

        async willSendResponse(requestContext) {
          const { contextValue, response } = requestContext;
          if (!state.resolved && requestContext.document) {
            // Validation failed: the document parsed, so its hash is known.
            try {
              state.documentHash = operationSignature(
                requestContext.schema,
                requestContext.document,
                requestContext.operationName ??
                  requestContext.request.operationName,
              ).hash;
            } catch {
              state.documentHash = null;
            }
          }
          const result =
            response.body.kind === 'single'
              ? response.body.singleResult
              : response.body.initialResult;
          const errors = result.errors ?? [];
          const viewer = contextValue.viewer;
          const event: AuditEventInput = {
            at: state.at,
            requestId: contextValue.requestId,
            subject: viewer.subject,
            scopes: [...viewer.scopes].sort(),
            purpose: viewer.purpose ?? null,
            clientName: contextValue.clientName,
            clientVersion: contextValue.clientVersion,
            operationName: state.operationName,
            documentHash: state.documentHash,
            fields: enforcedFields(
              state.protectedFields,
              contextValue.enforcement,
            ),
            records: servedRecords(contextValue.enforcement),
            subgraphs: [...contextValue.subgraphsCalled].sort(),
            outcome: outcomeOf(
              state.resolved && !state.refused,
              result.data,
              errors,
            ),
            errorCodes: errorCodes(errors),
            durationMs: performance.now() - state.started,
          };
          if (
            state.refused ||
            (state.protectedFields.length === 0 && !state.rulesUnknown)
          ) {
            // Public data only, or a refusal (no data at all): the event is
            // chained and written like any other, but the response does not
            // wait for the write (a failure is logged), so public requests
            // pay nothing for the audit trail and keep working while the
            // audit store is down, and a refusal keeps its own answer.
            void write(event, contextValue.logger);
            return;
          }
          // Protected data leaves only once its access is recorded (fail closed).
          if (await write(event, contextValue.logger)) return;
          response.body = {
            kind: 'single',
            singleResult: {
              data: null,
              errors: [
                new AuditUnavailableError(AUDIT_UNAVAILABLE_MESSAGE).toJSON(),
              ],
            },
          };
        },
      };
    },
  };
}

const DECISION_ORDER = { allowed: 0, denied: 1, unevaluated: 2 } as const;

/**
 * The event's field decisions: every decision the subgraphs reported (each
 * distinct coordinate, decision and rule once), and `unevaluated` for each
 * protected field the operation asked for that no subgraph evaluated.
 */
function enforcedFields(
  predicted: readonly ProtectedField[],
  reports: readonly { report: EnforcementReport }[],
): AuditFieldDecision[] {
  const fields = new Map<string, AuditFieldDecision>();
  const evaluated = new Set<string>();
  for (const { report } of reports) {
    for (const { coordinate, decision, rule } of report.decisions) {
      evaluated.add(coordinate);
      fields.set(`${coordinate}\u0000${decision}\u0000${rule}`, {
        coordinate,
        rule,
        decision,
      });
    }
  }
  for (const { coordinate, rule } of predicted) {
    if (evaluated.has(coordinate)) continue;
    fields.set(coordinate, {
      coordinate,
      rule: describeAccessRequirement(rule.rule),
      decision: 'unevaluated',
    });
  }
  return [...fields.values()].sort(
    (a, b) =>
      (a.coordinate < b.coordinate
        ? -1
        : a.coordinate > b.coordinate
          ? 1
          : 0) || DECISION_ORDER[a.decision] - DECISION_ORDER[b.decision],
  );
}

/** The protected records the subgraphs served, merged by type and key. */
function servedRecords(
  reports: readonly { report: EnforcementReport }[],
): AuditedRecord[] {
  const records = new Map<
    string,
    {
      type: string;
      id: string;
      subject: string | null;
      fields: Set<string>;
      personalData: boolean;
    }
  >();
  for (const { report } of reports) {
    for (const record of report.records) {
      const key = `${record.type}\u0000${record.id}`;
      const entry = records.get(key) ?? {
        type: record.type,
        id: record.id,
        subject: null,
        fields: new Set<string>(),
        personalData: false,
      };
      entry.subject ??= record.subject;
      for (const field of record.fields) entry.fields.add(field);
      entry.personalData ||= record.personalData;
      records.set(key, entry);
    }
  }
  return [...records.values()]
    .map((entry) => ({ ...entry, fields: [...entry.fields].sort() }))
    .sort((a, b) =>
      a.type !== b.type ? (a.type < b.type ? -1 : 1) : a.id < b.id ? -1 : 1,
    );
}

function outcomeOf(
  resolved: boolean,
  data: Record<string, unknown> | null | undefined,
  errors: readonly GraphQLFormattedError[],
): AuditOutcome {
  if (!resolved) return 'refused';
  if (errors.length === 0) return 'success';
  return data === null || data === undefined ? 'error' : 'partial';
}

function errorCodes(errors: readonly GraphQLFormattedError[]): string[] {
  const codes = new Set<string>();
  for (const error of errors) {
    const code = error.extensions?.['code'];
    codes.add(
      typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR,
    );
  }
  return [...codes].sort();
}
