/**
 * Subscriptions on the city graph (docs/live.md), beside the gateway on the
 * same HTTP server and path: GraphQL over WebSocket (`graphql-transport-ws`,
 * the graphql-ws library) and GraphQL over Server-Sent Events (graphql-sse).
 *
 * @apollo/gateway does not execute subscriptions, so this follows Apollo's
 * decoupled pattern: the `Subscription` fields are declared by the
 * departments and composed into the supergraph (so their access rules are
 * listed and checked); the broker says which entity changed; and for each
 * event the subscriber's selection is resolved by the gateway's own query
 * path (`executeOperation` of the gateway's Apollo Server with the
 * subscriber's viewer), so federation, field access rules, operation limits
 * and the audit trail apply exactly as for a query.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { createHandler as createSseHandler } from 'graphql-sse/lib/use/http';
import { CloseCode, type Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  accessDeniedError,
  evaluateAccess,
  readAccessRules,
  type AccessRequirement,
} from '../../../lib/records/access/index.js';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import {
  ErrorCode,
  UnauthenticatedError,
} from '../../../lib/runtime/errors.js';
import { HttpError, type HttpRoute } from '../../../lib/runtime/http.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';
import type { CallerAuthenticator } from '../../../lib/gateway/createCallerAuthenticator.js';
import {
  CLIENT_NAME_HEADER,
  CLIENT_VERSION_HEADER,
  newGatewayContext,
  requestHeader,
  type GatewayContext,
} from '../context.js';
import { listCostRefusal } from '../listCost.js';
import { checkRequestLimits } from '../requestLimits.js';
import type { DepartmentEvents } from './followDepartmentEvents.js';
import { createLatestQueue, CLOSED } from './latestQueue.js';
import { createLiveHub, type LiveHub } from './liveHub.js';
import { LIVE_FIELDS, type LiveField } from './liveFields.js';
import { countRefusals, liveMetrics } from './liveMetrics.js';
import {
  batchAlias,
  batchLiveQuery,
  batchVariable,
  buildLiveOperation,
  LIVE_ENTITY_VARIABLE,
  LiveOperationError,
  type LiveOperation,
} from './liveQuery.js';

/** The limits of the live service (docs/live.md, "Limits"). */

/** The media types a GraphQL answer comes in over plain HTTP. */
const JSON_ANSWERS = new Set([
  'application/graphql-response+json',
  'application/graphql+json',
  'application/json',
]);

/**
 * Whether an `Accept` header asks for Server-Sent Events rather than a JSON
 * answer: `text/event-stream` ranks first among the types it lists (by
 * q-value, then order). graphql-sse clients send `text/event-stream` alone;
 * urql lists it after the JSON types for every query it sends as `GET`,
 * which must be answered as a plain query (docs/clients.md).
 */
export function prefersEventStream(accept: string): boolean {
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter(
      (entry) =>
        entry.q > 0 &&
        (entry.type === 'text/event-stream' || JSON_ANSWERS.has(entry.type)),
    )
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.type === 'text/event-stream';
}

export interface LiveLimits {
  /** Subscriptions open at once on one WebSocket connection. @default 20 */
  readonly subscriptionsPerConnection: number;
  /** Connections (WebSocket or SSE) open at once per caller: its subject, or its IP when anonymous. @default 10 */
  readonly connectionsPerCaller: number;
  /** Events waiting per subscription before the oldest are dropped (slow subscribers). @default 16 */
  readonly queuedEventsPerSubscription: number;
  /** Time a WebSocket client has to send `connection_init`. @default 5000 */
  readonly connectionInitWaitMs: number;
  /** Interval of the server's pings (WebSocket `ping`, SSE comment lines every 12 s). @default 12000 */
  readonly keepAliveMs: number;
}

/** The defaults of {@link LiveLimits}. */
export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  subscriptionsPerConnection: 20,
  connectionsPerCaller: 10,
  queuedEventsPerSubscription: 16,
  connectionInitWaitMs: 5000,
  keepAliveMs: 12_000,
};

/** Options of {@link createLiveService}. */
export interface LiveServiceOptions {
  /**
   * The gateway's follower of the departments' events (shared with the
   * response cache); null without a broker: subscriptions answer
   * SERVICE_UNAVAILABLE.
   */
  readonly events: DepartmentEvents | null;
  readonly authenticate: CallerAuthenticator;
  readonly logger: Logger;
  /** The gateway, for its API schema (loaded and hot reloaded). */
  readonly gateway: ApolloGateway;
  /** The gateway's Apollo Server (built after this service: a getter). */
  readonly apollo: () => ApolloServer<GatewayContext>;
  /** The supergraph SDL now, for the access rules of the Subscription fields. */
  readonly getSupergraphSdl: () => string;
  /**
   * The gateway's validation rules (depth, cost, aliases, ...), as Apollo
   * Server gets them: a variable page size is left to the request, and a
   * subscription's is priced with its variables at subscribe time, as over
   * POST (listCost.ts `listCostRefusal`, ADR 0026).
   */
  readonly validationRules: readonly ValidationRule[];
  /**
   * The same rules counting each variable page size as the largest page,
   * for what is decided once per query text without variables: how many
   * events one execution may resolve (so a batch is never refused at
   * execution, where each is priced again with its variables).
   */
  readonly worstCaseValidationRules: readonly ValidationRule[];
  readonly limits?: Partial<LiveLimits>;
  /**
   * The fields served.
   * @default LIVE_FIELDS
   */
  readonly fields?: Readonly<Record<string, LiveField>>;
}

/** The live service, as the gateway wires it. */
export interface LiveService {
  /** The SSE route, for the HTTP service's `routes`. */
  readonly route: HttpRoute;
  /** Refuses subscription operations sent over plain HTTP with a clear error. */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** Serves WebSocket upgrades on `/graphql` of this server. */
  attach(httpServer: Server): void;
  /** Subscriptions open now. */
  readonly openSubscriptions: number;
  /** Events dropped so far for slow subscribers. */
  readonly droppedEvents: number;
  /** Ends every subscription and connection (shutdown). */
  stop(): Promise<void>;
}

/** Who a connection belongs to, fixed at connect time. */
interface LiveSession {
  readonly viewer: Viewer;
  /** Token expiry (ms since the epoch), or null for anonymous callers. */
  readonly expiresAt: number | null;
  readonly clientName: string | null;
  readonly clientVersion: string | null;
  /** The connection limit's key. */
  readonly callerKey: string;
  /** Resolves when the token expires. */
  readonly expired: Promise<void>;
  /** Clears the expiry timer. */
  readonly end: () => void;
}

const liveError = (
  message: string,
  code: string,
  extensions: Record<string, unknown> = {},
) => new GraphQLError(message, { extensions: { ...extensions, code } });

/** A stable key for "the same reader": executions are shared between subscribers with equal keys. */
function viewerKey(viewer: Viewer): string {
  return JSON.stringify([
    viewer.subject,
    [...viewer.scopes].sort(),
    [...viewer.policies].sort(),
  ]);
}

/** Creates the live service (not yet attached to a server). */
export function createLiveService(options: LiveServiceOptions): LiveService {
  const limits: LiveLimits = { ...DEFAULT_LIVE_LIMITS, ...options.limits };
  const fields = options.fields ?? LIVE_FIELDS;
  const { logger } = options;

  let schema: GraphQLSchema | null = null;
  /** Open subscriptions, so a new supergraph can be checked against each. */
  const running = new Set<{
    readonly field: string;
    readonly query: string;
    readonly variables: Readonly<Record<string, unknown>>;
    readonly viewer: Viewer;
    end(errors: GraphQLError[]): void;
  }>();
  options.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    const previous = schema;
    schema = apiSchema;
    validated.clear();
    worstCaseValidated.clear();
    if (previous === null) return;
    // Graceful drain on supergraph reload: a subscription that still
    // validates and is still allowed goes on; any other gets a last message
    // saying why, then ends.
    for (const subscription of running) {
      const invalid = subscriptionErrors(
        apiSchema,
        subscription.query,
        subscription.variables,
      );
      const rule = ruleOf(subscription.field);
      const decision = rule
        ? evaluateAccess(rule, subscription.viewer)
        : { allowed: true as const };
      if (invalid.length === 0 && decision.allowed) continue;
      subscription.end([
        liveError(
          `The city graph changed and this subscription no longer applies (${
            invalid[0]?.message ??
            (rule && !decision.allowed
              ? `Subscription.${subscription.field} now requires more access`
              : 'it does not validate')
          }). Subscribe again.`,
          'SUBSCRIPTION_SCHEMA_RELOAD',
        ),
      ]);
    }
  });

  let rules: { sdl: string; byField: Map<string, AccessRequirement> } | null =
    null;
  const ruleOf = (field: string): AccessRequirement | undefined => {
    const sdl = options.getSupergraphSdl();
    if (rules?.sdl !== sdl) {
      rules = {
        sdl,
        byField: new Map(
          readAccessRules(sdl)
            .fields.filter((r) => r.type === 'Subscription')
            .map((r) => [r.field, r.rule]),
        ),
      };
    }
    return rules.byField.get(field);
  };

  const hub: LiveHub | null = options.events
    ? createLiveHub({
        events: options.events,
        logger,
        keysOf: (event) => {
          const keys = new Set<string>();
          for (const field of Object.values(fields))
            if (field.eventTypes.includes(event.type))
              for (const key of field.keysOfEvent(event)) keys.add(key);
          return [...keys];
        },
      })
    : null;

  // Validation of the per-event queries, once per query text and rules.
  interface Validation {
    readonly document: DocumentNode;
    readonly errors: readonly GraphQLError[];
  }
  const validated = new Map<string, Validation>();
  const worstCaseValidated = new Map<string, Validation>();
  const validation = (s: GraphQLSchema, query: string, worstCase = false) => {
    const cache = worstCase ? worstCaseValidated : validated;
    let result = cache.get(query);
    if (!result) {
      const document = parse(query);
      result = {
        document,
        errors: validate(s, document, [
          ...specifiedRules,
          ...(worstCase
            ? options.worstCaseValidationRules
            : options.validationRules),
        ]),
      };
      if (cache.size > 1000) cache.clear();
      cache.set(query, result);
    }
    return result;
  };
  /**
   * A subscription's per-event query's errors: its validation, then its
   * list cost priced with the subscriber's variables, as over POST (ADR 0026).
   */
  const subscriptionErrors = (
    s: GraphQLSchema,
    query: string,
    variables: Readonly<Record<string, unknown>>,
  ): readonly GraphQLError[] => {
    const { document, errors } = validation(s, query);
    if (errors.length > 0) return errors;
    const operation = getOperationAST(document);
    const refusal =
      operation && listCostRefusal(s, document, operation, variables);
    return refusal ? [refusal] : [];
  };

  /** Runs one query through the gateway's own pipeline as `session`'s viewer. */
  const run = async (
    session: LiveSession,
    query: string,
    operationName: string | undefined,
    variables: Record<string, unknown>,
  ): Promise<{
    data: Record<string, unknown> | null | undefined;
    errors: GraphQLError[];
  }> => {
    const requestId = randomUUID();
    const contextValue = newGatewayContext({
      viewer: session.viewer,
      requestId,
      logger,
      clientName: session.clientName,
      clientVersion: session.clientVersion,
    });
    const response = await options
      .apollo()
      .executeOperation(
        { query, variables, ...(operationName ? { operationName } : {}) },
        { contextValue },
      );
    if (response.body.kind !== 'single')
      return {
        data: null,
        errors: [
          liveError('Incremental delivery is not offered here.', 'BAD_REQUEST'),
        ],
      };
    const { data, errors } = response.body.singleResult;
    return {
      data,
      // Already formatted by the gateway (codes, masking); the transports
      // want GraphQLErrors. Locations would point into the per-event query,
      // not the subscriber's document: dropped.
      errors: (errors ?? []).map(
        (e) =>
          new GraphQLError(e.message, {
            ...(e.path ? { path: e.path } : {}),
            ...(e.extensions ? { extensions: e.extensions } : {}),
          }),
      ),
    };
  };

  // How many events one execution may resolve for a query: as many as the
  // operation limits allow (aliases, cost), at most BATCH_MAX.
  const BATCH_MAX = 20;
  const batchSizes = new Map<string, number>();
  const batchSizeOf = (query: string): number => {
    let size = batchSizes.get(query);
    if (size === undefined) {
      size = 1;
      const current = schema;
      for (let n = BATCH_MAX; current && n > 1; n = Math.floor(n / 2)) {
        if (
          validation(current, batchLiveQuery(query, n), true).errors.length ===
          0
        ) {
          size = n;
          break;
        }
      }
      if (batchSizes.size > 1000) batchSizes.clear();
      batchSizes.set(query, size);
    }
    return size;
  };
  const batchedQueries = new Map<string, string>();
  const batchedQuery = (query: string, n: number) => {
    const key = `${n}\n${query}`;
    let batched = batchedQueries.get(key);
    if (!batched) {
      batched = batchLiveQuery(query, n);
      if (batchedQueries.size > 1000) batchedQueries.clear();
      batchedQueries.set(key, batched);
    }
    return batched;
  };

  interface Pending {
    readonly id: string;
    readonly resolve: (result: unknown) => void;
    readonly reject: (error: unknown) => void;
  }
  interface Group {
    readonly session: LiveSession;
    readonly op: LiveOperation;
    items: Pending[];
    scheduled: boolean;
    inFlight: number;
  }
  // Events waiting for their execution, by query, variables and reader.
  // Adaptive batching: at most MAX_IN_FLIGHT executions per group run at
  // once; events that arrive meanwhile wait and go together in the next one.
  // Light load: each event at once. Heavy load: fewer, larger executions.
  const MAX_IN_FLIGHT = 4;
  const groups = new Map<string, Group>();

  const schedule = (key: string, group: Group) => {
    if (group.scheduled || group.inFlight >= MAX_IN_FLIGHT) return;
    group.scheduled = true;
    setImmediate(() => flush(key, group));
  };

  const flush = (key: string, group: Group) => {
    group.scheduled = false;
    const size = batchSizeOf(group.op.query);
    while (group.items.length > 0 && group.inFlight < MAX_IN_FLIGHT) {
      const chunk = group.items.splice(0, size);
      group.inFlight += 1;
      void resolveChunk(group.session, group.op, chunk).finally(() => {
        group.inFlight -= 1;
        if (group.items.length > 0) schedule(key, group);
        else if (group.inFlight === 0 && groups.get(key) === group)
          groups.delete(key);
      });
    }
  };

  const resolveChunk = async (
    session: LiveSession,
    op: LiveOperation,
    chunk: readonly Pending[],
  ) => {
    try {
      if (chunk.length === 1) {
        const [only] = chunk as [Pending];
        const result = await run(session, op.query, op.operationName, {
          ...op.variables,
          [LIVE_ENTITY_VARIABLE]: only.id,
        });
        only.resolve({
          data: result.data,
          ...(result.errors.length > 0 ? { errors: result.errors } : {}),
        });
        return;
      }
      const variables: Record<string, unknown> = { ...op.variables };
      chunk.forEach((item, i) => (variables[batchVariable(i)] = item.id));
      const result = await run(
        session,
        batchedQuery(op.query, chunk.length),
        op.operationName,
        variables,
      );
      chunk.forEach((item, i) => {
        const alias = batchAlias(i);
        // Each event gets its own part of the answer, under the
        // subscription's response key, with the errors on its path (and
        // those on no path, which concern the whole execution).
        const errors = result.errors
          .filter((e) => !e.path || e.path[0] === alias)
          .map((e) =>
            e.path
              ? new GraphQLError(e.message, {
                  path: [op.responseKey, ...e.path.slice(1)],
                  extensions: e.extensions,
                })
              : e,
          );
        item.resolve({
          data:
            result.data === null || result.data === undefined
              ? result.data
              : { [op.responseKey]: result.data[alias] ?? null },
          ...(errors.length > 0 ? { errors } : {}),
        });
      });
    } catch (error) {
      for (const item of chunk) item.reject(error);
    }
  };

  // One resolution per event, query, variables and reader, shared by every
  // subscriber that would run the same one (kept for the last few thousand).
  const shared = new Map<string, Promise<unknown>>();
  const MAX_SHARED = 5000;

  // Each distinct (query, variables, reader) gets a short id once, at
  // subscribe time: the per-delivery work is then a lookup by
  // `<event id>\n<group id>`, not the building and hashing of a key as long
  // as the query for every subscriber of every event (the bench's profile).
  const groupIds = new Map<string, string>();
  let nextGroupId = 0;
  const groupIdOf = (session: LiveSession, op: LiveOperation): string => {
    const long = `${op.query}\n${JSON.stringify(op.variables)}\n${viewerKey(session.viewer)}`;
    let id = groupIds.get(long);
    if (id === undefined) {
      id = String(nextGroupId++);
      // Bounded: forgetting an id only costs sharing with later subscribers.
      if (groupIds.size > 10_000) groupIds.clear();
      groupIds.set(long, id);
    }
    return id;
  };

  const execute = (
    session: LiveSession,
    op: LiveOperation,
    field: LiveField,
    event: CityEvent,
    groupKey: string,
  ): Promise<unknown> => {
    const key = `${event.id}\n${groupKey}`;
    const existing = shared.get(key);
    if (existing) return existing;
    const result = new Promise<unknown>((resolve, reject) => {
      let group = groups.get(groupKey);
      if (!group) {
        group = { session, op, items: [], scheduled: false, inFlight: 0 };
        groups.set(groupKey, group);
      }
      group.items.push({ id: field.lookup.value(event), resolve, reject });
      schedule(groupKey, group);
    });
    shared.set(key, result);
    if (shared.size > MAX_SHARED)
      shared.delete(shared.keys().next().value as string);
    return result;
  };

  let open = 0;
  let dropped = 0;
  const closers = new Set<() => void>();

  /** The subscription itself: an async iterator of results, one per matching event. */
  const subscribe = (
    session: LiveSession,
    args: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues'>,
  ): AsyncIterableIterator<unknown> | { errors: GraphQLError[] } => {
    const current = schema;
    if (!hub || !current)
      return {
        errors: [
          liveError(
            hub
              ? 'The city graph is still loading; subscribe again in a moment.'
              : 'Subscriptions are unavailable: this gateway has no event broker (REDIS_URL).',
            ErrorCode.SERVICE_UNAVAILABLE,
          ),
        ],
      };
    let op: LiveOperation;
    try {
      op = buildLiveOperation(
        current,
        args.document,
        args.operationName,
        (args.variableValues ?? {}) as Record<string, unknown>,
        (name) => fields[name]?.lookup,
      );
    } catch (error) {
      if (error instanceof LiveOperationError)
        return { errors: [liveError(error.message, error.code)] };
      if (error instanceof GraphQLError)
        return {
          errors: [liveError(error.message, ErrorCode.BAD_USER_INPUT)],
        };
      throw error;
    }
    const field = fields[op.field] as LiveField;
    const problem = field.checkArgs?.(op.args);
    if (problem)
      return { errors: [liveError(problem, ErrorCode.BAD_USER_INPUT)] };
    const rule = ruleOf(op.field);
    if (rule) {
      const decision = evaluateAccess(rule, session.viewer);
      if (!decision.allowed)
        return {
          errors: [
            accessDeniedError(decision.code, `Subscription.${op.field}`, rule),
          ],
        };
    }
    const invalid = subscriptionErrors(current, op.query, op.variables);
    if (invalid.length > 0)
      return {
        // As Apollo Server answers them over POST: every validation error
        // (limits included) is GRAPHQL_VALIDATION_FAILED.
        errors: invalid.map((e) =>
          liveError(e.message, 'GRAPHQL_VALIDATION_FAILED', {
            ...e.extensions,
          }),
        ),
      };

    // Each matching event's resolution starts as it arrives (shared and
    // batched with the other subscribers'), so a subscriber's rate is not
    // bound by the latency of one resolution; the queue keeps their answers
    // in order and at most `queuedEventsPerSubscription` of them.
    const queue = createLatestQueue<{
      readonly event: CityEvent;
      /** performance.now() when the event reached this gateway. */
      readonly receivedAt: number;
      readonly result: Promise<
        { ok: true; value: unknown } | { ok: false; error: unknown }
      >;
    }>(limits.queuedEventsPerSubscription);
    const groupKey = groupIdOf(session, op);
    const unregister = hub.register({
      eventTypes: field.eventTypes,
      key: field.keyOfArgs(op.args),
      deliver: (event) => {
        const before = queue.dropped;
        queue.push({
          event,
          receivedAt: performance.now(),
          result: execute(session, op, field, event, groupKey).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        });
        const droppedNow = queue.dropped - before;
        if (droppedNow > 0) {
          dropped += droppedNow;
          liveMetrics.dropped.inc({ field: op.field }, droppedNow);
        }
      },
    });
    open += 1;
    liveMetrics.subscriptions.inc({ field: op.field });
    let finished = false;
    // The last message before the end (expiry, supergraph reload), if any.
    let endWith: GraphQLError[] | null = null;
    const entry = {
      field: op.field,
      query: op.query,
      variables: op.variables,
      viewer: session.viewer,
      end(errors: GraphQLError[]) {
        endWith ??= errors;
        queue.close();
      },
    };
    running.add(entry);
    const finish = () => {
      if (finished) return;
      finished = true;
      open -= 1;
      liveMetrics.subscriptions.dec({ field: op.field });
      unregister();
      queue.close();
      closers.delete(finish);
      running.delete(entry);
    };
    closers.add(finish);
    void session.expired.then(() =>
      entry.end([
        liveError(
          'The token expired: this subscription has ended. Subscribe again with a fresh token.',
          ErrorCode.UNAUTHENTICATED,
        ),
      ]),
    );

    const iterator: AsyncIterableIterator<unknown> = {
      async next() {
        for (;;) {
          if (finished) return { done: true, value: undefined };
          const item = await queue.take();
          if (item === CLOSED) {
            if (endWith && !finished) {
              finish();
              return { done: false, value: { errors: endWith } };
            }
            finish();
            return { done: true, value: undefined };
          }
          const outcome = await item.result;
          if (finished) return { done: true, value: undefined };
          if (outcome.ok) {
            liveMetrics.delivered.inc({ field: op.field });
            liveMetrics.delivery.observe(
              { field: op.field },
              (performance.now() - item.receivedAt) / 1000,
            );
            return { done: false, value: outcome.value };
          }
          // The gateway's pipeline formats its own errors; anything thrown
          // here is ours: logged, and the event is skipped.
          logger.error(
            {
              eventId: item.event.id,
              err:
                outcome.error instanceof Error
                  ? outcome.error.message
                  : outcome.error,
            },
            'live event not resolved',
          );
        }
      },
      async return() {
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  };

  // Connections per caller.
  const connections = new Map<string, number>();
  const claimConnection = (key: string): boolean => {
    const count = connections.get(key) ?? 0;
    if (count >= limits.connectionsPerCaller) return false;
    connections.set(key, count + 1);
    return true;
  };
  const releaseConnection = (key: string) => {
    const count = (connections.get(key) ?? 1) - 1;
    if (count <= 0) connections.delete(key);
    else connections.set(key, count);
  };

  /** Verifies the caller's token once, for the whole connection. */
  const openSession = async (
    authorization: string | undefined,
    req: IncomingMessage,
  ): Promise<LiveSession> => {
    const viewer = await options.authenticate(authorization);
    let expiresAt: number | null = null;
    if (viewer.subject !== null && authorization) {
      const token = authorization.trim().replace(/^Bearer +/i, '');
      const exp = decodeJwt(token).exp;
      expiresAt = typeof exp === 'number' ? exp * 1000 : null;
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      if (expiresAt === null) return;
      // setTimeout takes at most 2^31-1 ms (about 24 days).
      timer = setTimeout(
        resolve,
        Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1),
      );
    });
    return {
      viewer,
      expiresAt,
      clientName: requestHeader(req, CLIENT_NAME_HEADER),
      clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
      callerKey:
        viewer.subject === null
          ? `ip:${req.socket.remoteAddress ?? 'unknown'}`
          : `sub:${viewer.subject}`,
      expired,
      end: () => clearTimeout(timer),
    };
  };

  /** Pre-parse limits (size, tokens, variables), as for HTTP requests. */
  const preParseErrors = (payload: {
    query?: unknown;
    variables?: unknown;
  }): GraphQLError[] | null => {
    try {
      checkRequestLimits({
        req: undefined as unknown as IncomingMessage,
        requestId: '',
        clientRequestId: null,
        rawBody: '',
        body: { query: payload.query, variables: payload.variables },
        search: '',
      });
      return null;
    } catch (error) {
      if (error instanceof HttpError)
        return [liveError(error.message, error.code, { ...error.extensions })];
      throw error;
    }
  };

  const notOverTransport = (args: ExecutionArgs) => {
    const op = args.document.definitions.find(
      (d) => d.kind === 'OperationDefinition',
    );
    return {
      errors: [
        liveError(
          `This transport serves subscriptions; send ${op && 'operation' in op ? op.operation : 'query'} operations over HTTP POST to /graphql.`,
          'BAD_REQUEST',
        ),
      ],
    };
  };

  // --- WebSocket (graphql-transport-ws) ---
  const sessions = new WeakMap<object, LiveSession>();
  let wsServer: WebSocketServer | null = null;
  let wsDisposable: Disposable | null = null;
  const sockets = new Set<WebSocket>();

  const attach = (httpServer: Server) => {
    wsServer = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
    });
    httpServer.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/graphql') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wsServer?.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.once('close', () => sockets.delete(ws));
        wsServer?.emit('connection', ws, req);
      });
    });
    wsDisposable = useServer<Record<string, unknown> | undefined>(
      {
        schema: () => {
          if (!schema)
            throw liveError(
              'The city graph is still loading.',
              ErrorCode.SERVICE_UNAVAILABLE,
            );
          return schema;
        },
        connectionInitWaitTimeout: limits.connectionInitWaitMs,
        context: (ctx) => sessions.get(ctx.extra.socket) ?? null,
        onConnect: async (ctx) => {
          const params = ctx.connectionParams ?? {};
          const fromParams = params['authorization'] ?? params['Authorization'];
          const authorization =
            typeof fromParams === 'string'
              ? fromParams
              : ctx.extra.request.headers.authorization;
          let session: LiveSession;
          try {
            session = await openSession(authorization, ctx.extra.request);
          } catch (error) {
            const reason =
              error instanceof UnauthenticatedError
                ? error.message
                : 'authentication failed';
            liveMetrics.refused.inc({ code: ErrorCode.UNAUTHENTICATED });
            ctx.extra.socket.close(
              CloseCode.Unauthorized,
              `Unauthorized: ${reason}`.slice(0, 120),
            );
            return false;
          }
          if (!claimConnection(session.callerKey)) {
            session.end();
            liveMetrics.refused.inc({ code: ErrorCode.RATE_LIMITED });
            ctx.extra.socket.close(
              1008,
              `Too many connections: at most ${limits.connectionsPerCaller} per caller.`,
            );
            return false;
          }
          sessions.set(ctx.extra.socket, session);
          liveMetrics.connections.inc({ transport: 'websocket' });
          void session.expired.then(() => {
            // Let the subscriptions send their last message first.
            setTimeout(() => {
              if (ctx.extra.socket.readyState === ctx.extra.socket.OPEN)
                ctx.extra.socket.close(
                  CloseCode.Unauthorized,
                  'Unauthorized: the token expired. Reconnect with a fresh token.',
                );
            }, 50);
          });
          return true;
        },
        onClose: (ctx) => {
          const session = sessions.get(ctx.extra.socket);
          if (!session) return;
          sessions.delete(ctx.extra.socket);
          session.end();
          releaseConnection(session.callerKey);
          liveMetrics.connections.dec({ transport: 'websocket' });
        },
        onSubscribe: (ctx, id, payload) => {
          // graphql-ws registers the operation's id before this hook runs,
          // so the ones already open are the others.
          const open = Object.keys(ctx.subscriptions).filter(
            (other) => other !== id,
          ).length;
          if (open >= limits.subscriptionsPerConnection)
            return [
              liveError(
                `Too many subscriptions on this connection: at most ${limits.subscriptionsPerConnection}.`,
                ErrorCode.OPERATION_LIMIT_EXCEEDED,
                { limit: 'subscriptionsPerConnection' },
              ),
            ];
          return preParseErrors(payload) ?? undefined;
        },
        // Every `error` message: ours from onSubscribe and graphql-ws's own
        // parse and validation errors, which carry no code: they get the one
        // Apollo Server gives them over HTTP, as every error carries a code.
        onError: (_ctx, _id, _payload, errors) => {
          const coded = errors.map((error) =>
            typeof error.extensions['code'] === 'string'
              ? error.toJSON()
              : {
                  ...error.toJSON(),
                  extensions: {
                    ...error.extensions,
                    code: 'GRAPHQL_VALIDATION_FAILED',
                  },
                },
          );
          countRefusals({ errors: coded });
          return coded;
        },
        execute: notOverTransport,
        subscribe: (args) => {
          const session = args.contextValue as LiveSession | null;
          if (!session)
            return {
              errors: [liveError('Not connected.', ErrorCode.UNAUTHENTICATED)],
            };
          const result = subscribe(session, args);
          countRefusals(result);
          return result as never;
        },
      },
      wsServer,
      limits.keepAliveMs,
    );
  };

  // --- Server-Sent Events (graphql-sse, distinct connections mode) ---
  const sseSessions = new WeakMap<IncomingMessage, LiveSession>();
  const sseResponses = new Set<ServerResponse>();
  const sseHandler = createSseHandler<{ session: LiveSession | null }>({
    schema: () => {
      if (!schema)
        throw liveError(
          'The city graph is still loading.',
          ErrorCode.SERVICE_UNAVAILABLE,
        );
      return schema;
    },
    context: (req) => ({ session: sseSessions.get(req.raw) ?? null }),
    onSubscribe: (_req, params) => {
      const response = preParseErrorsResponse(params);
      if (response) liveMetrics.refused.inc({ code: 'BAD_REQUEST' });
      return response;
    },
    execute: (args) => notOverTransport(args) as never,
    subscribe: (args) => {
      const { session } = args.contextValue;
      if (!session)
        return {
          errors: [liveError('Not connected.', ErrorCode.UNAUTHENTICATED)],
        } as never;
      const result = subscribe(session, args);
      countRefusals(result);
      return result as never;
    },
  });
  const preParseErrorsResponse = (params: {
    query?: unknown;
    variables?: unknown;
  }) => {
    const errors = preParseErrors(params);
    if (!errors) return undefined;
    return [
      JSON.stringify({ errors: errors.map((e) => e.toJSON()) }),
      {
        status: 400,
        statusText: 'Bad Request',
        headers: { 'content-type': 'application/json; charset=utf-8' },
      },
    ] as const;
  };

  const route: HttpRoute = {
    matches(req, url) {
      if (url.pathname !== '/graphql') return false;
      return (
        prefersEventStream(req.headers.accept ?? '') ||
        req.headers['x-graphql-event-stream-token'] !== undefined
      );
    },
    async handle(req, res) {
      let session: LiveSession;
      try {
        session = await openSession(req.headers.authorization, req);
      } catch (error) {
        if (error instanceof UnauthenticatedError) {
          liveMetrics.refused.inc({ code: ErrorCode.UNAUTHENTICATED });
          throw new HttpError(401, error.message, ErrorCode.UNAUTHENTICATED);
        }
        throw error;
      }
      if (!claimConnection(session.callerKey)) {
        session.end();
        liveMetrics.refused.inc({ code: ErrorCode.RATE_LIMITED });
        throw new HttpError(
          429,
          `Too many connections: at most ${limits.connectionsPerCaller} per caller.`,
          ErrorCode.RATE_LIMITED,
        );
      }
      sseSessions.set(req, session);
      sseResponses.add(res);
      liveMetrics.connections.inc({ transport: 'sse' });
      // An expired token ends the stream after its last message.
      void session.expired.then(() => setTimeout(() => res.end(), 50));
      try {
        await sseHandler(req, res);
      } finally {
        sseResponses.delete(res);
        session.end();
        releaseConnection(session.callerKey);
        liveMetrics.connections.dec({ transport: 'sse' });
      }
    },
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription')
            throw new GraphQLError(
              'Subscriptions are not served over plain HTTP requests. Use GraphQL over WebSocket (graphql-transport-ws) or Server-Sent Events (Accept: text/event-stream) at this same /graphql address; see docs/live.md.',
              {
                extensions: {
                  code: 'BAD_REQUEST',
                  http: { status: 400 },
                },
              },
            );
        },
      };
    },
  };

  return {
    route,
    plugin,
    attach,
    get openSubscriptions() {
      return open;
    },
    get droppedEvents() {
      return dropped;
    },
    async stop() {
      for (const close of [...closers]) close();
      for (const res of sseResponses) res.end();
      await wsDisposable?.dispose();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) =>
        wsServer ? wsServer.close(() => resolve()) : resolve(),
      );
      await hub?.stop();
    },
  };
}
