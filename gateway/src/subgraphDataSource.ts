/**
 * How the gateway calls a subgraph: the caller's identity goes in a
 * short-lived token the gateway signs with its own key (never the caller's
 * token), bound to the exact body of that one fetch and usable once (see
 * lib/gatewayToken.ts), so tokens are signed per fetch and never cached or
 * shared between fetches. Every fetch is bounded by the subgraph's timeout
 * and goes through its circuit breaker; nothing of a subgraph's failure
 * (its address, status line, body, stack) reaches the client: the client
 * gets DOWNSTREAM_SERVICE_ERROR naming the service, the log gets the rest.
 *
 * Identical queries in flight at the same time are sent once: same subgraph,
 * same body (query, variables, operation name, extensions) and same access
 * class (caller subject, scopes and policies), never a mutation, never
 * across callers whose access differs. The one fetch carries one token, the
 * first caller's; every caller parses its own copy of the answer
 * (docs/performance.md).
 */
import { context as otelContext, propagation } from '@opentelemetry/api';
import type { KeyObject } from 'node:crypto';
import type {
  GraphQLDataSource,
  GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { GraphQLError, Kind, type GraphQLSchema } from 'graphql';
import {
  ENFORCEMENT_EXTENSION,
  isEnforcementReport,
} from '../../lib/records/access/index.js';
import { describeError } from '../../lib/runtime/errors.js';
import type { Logger } from '../../lib/runtime/logger.js';
import {
  GATEWAY_TOKEN_HEADER,
  signGatewayTokenSync,
} from '../../lib/runtime/gatewayToken.js';
import { REQUEST_ID_HEADER } from '../../lib/runtime/http.js';
import { CircuitBreaker } from './circuitBreaker.js';
import { takeReplayedFetch } from './singleFetchExecutor.js';
import { counter, histogram } from '../../lib/runtime/metrics.js';
import type { Viewer } from '../../lib/runtime/viewer.js';
import type { GatewayContext } from './context.js';
import type { CacheModel } from './responseCache/cacheModel.js';
import {
  collectEntities,
  type EntityTagger,
} from './responseCache/entityTags.js';

const fetchDuration = histogram(
  'gateway_subgraph_fetch_duration_seconds',
  'Time of one gateway fetch to a subgraph, by subgraph and outcome (ok, timeout, unreachable, circuit_open, refused, error).',
  ['subgraph', 'outcome'],
);

const deduplicated = counter(
  'gateway_subgraph_fetches_deduplicated_total',
  'Subgraph fetches not sent because an identical query of the same access class was already in flight, by subgraph.',
  ['subgraph'],
);

/** Options of {@link CityGraphDataSource}. */
export interface CityGraphDataSourceOptions {
  name: string;
  url: string;
  signingKey: KeyObject;
  /** Lifetime of each gateway token (`config.gatewayToken.ttlSeconds`). */
  tokenTtlSeconds: number;
  /** Longest wait for one fetch, body included (`<NAME>_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Consecutive failures that open the circuit (`SUBGRAPH_BREAKER_FAILURES`). */
  breakerFailures: number;
  /** How long an open circuit fails fast (`SUBGRAPH_BREAKER_OPEN_MS`). */
  breakerOpenMs: number;
  logger: Logger;
  /** @default globalThis.fetch */
  fetch?: SubgraphFetch;
  /**
   * Send identical queries of one access class that are in flight at the
   * same time once (see the module comment).
   * @default true
   */
  deduplicate?: boolean;
  /**
   * Asks the subgraph for the entities of its answer when the response
   * cache collects them (`context.responseCache.entities`): the API schema
   * and cache model now, and the rewriter (gateway/src/responseCache/entityTags.ts).
   */
  entityTagging?: {
    tagger: EntityTagger;
    schema: () => GraphQLSchema | undefined;
    model: () => CacheModel;
  };
}

/** Why a fetch to a subgraph failed, as `extensions.reason` (docs/errors.md). */
export type DownstreamReason =
  'timeout' | 'unreachable' | 'circuit_open' | 'refused' | 'error';

const MESSAGES: Record<DownstreamReason, (name: string, ms: number) => string> =
  {
    timeout: (name, ms) =>
      `The ${name} service did not answer within ${ms} ms: its fields are null in this response.`,
    unreachable: (name) =>
      `The ${name} service is unavailable: its fields are null in this response.`,
    circuit_open: (name) =>
      `The ${name} service is unavailable (the gateway fails fast until it recovers): its fields are null in this response.`,
    refused: (name) =>
      `The ${name} service refused the gateway's request: its fields are null in this response.`,
    error: (name) =>
      `The ${name} service failed: its fields are null in this response.`,
  };

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type Response = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** What one fetch brought back, shared by the callers of a deduplicated fetch. */
interface Reply {
  status: number;
  text: string;
  /** The parsed body (the sender's own copy), undefined when not JSON. */
  parsed: unknown;
}

/** Why a fetch brought nothing back, for each caller to report as its own error. */
class FetchFailure extends Error {
  constructor(
    readonly reason: DownstreamReason,
    readonly detail: Record<string, unknown>,
  ) {
    super(reason);
  }
}

/**
 * The access class of a caller: callers of one class get the same answer
 * from a subgraph (its rules see only subject, scopes and policies, through
 * the token), so only they may share a fetch.
 */
function accessClass(viewer: Viewer): string {
  return JSON.stringify([
    viewer.subject,
    [...viewer.scopes].sort(),
    [...viewer.policies].sort(),
    // Personal data is served or refused by the declared purpose too.
    viewer.purpose ?? null,
  ]);
}

/** Whether a subgraph operation is certainly a query (never a mutation). */
function isQuery(options: ProcessOptions, query: string | undefined): boolean {
  const document = 'document' in options ? options.document : undefined;
  if (document) {
    const operations = document.definitions.filter(
      (d) => d.kind === Kind.OPERATION_DEFINITION,
    );
    return (
      operations.length === 1 &&
      operations[0]?.kind === Kind.OPERATION_DEFINITION &&
      operations[0].operation === 'query'
    );
  }
  // The query planner writes `query ...` or a bare selection set `{...}`.
  return query !== undefined && /^\s*(?:query\b|\{)/.test(query);
}

/**
 * The fetch function (`globalThis.fetch` by default); the gateway's HTTP
 * client may be swapped here without touching tokens, timeouts or breaker.
 */
export type SubgraphFetch = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
  },
) => Promise<{ status: number; text(): Promise<string> }>;

/** The data source of one subgraph. */
export class CityGraphDataSource implements GraphQLDataSource<GatewayContext> {
  /** The subgraph's circuit breaker (readiness shows its state). */
  readonly breaker: CircuitBreaker;
  private readonly serviceName: string;
  private readonly signingKey: KeyObject;
  private readonly tokenTtlSeconds: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly url: string;
  private readonly fetch: SubgraphFetch;
  private readonly deduplicate: boolean;
  private readonly entityTagging:
    CityGraphDataSourceOptions['entityTagging'] | undefined;
  /** Fetches in flight that identical queries may join, by access class and body. */
  private readonly inflight = new Map<string, Promise<Reply>>();

  constructor(options: CityGraphDataSourceOptions) {
    this.url = options.url;
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.serviceName = options.name;
    this.signingKey = options.signingKey;
    this.tokenTtlSeconds = options.tokenTtlSeconds;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.deduplicate = options.deduplicate ?? true;
    this.entityTagging = options.entityTagging;
    this.breaker = new CircuitBreaker({
      failures: options.breakerFailures,
      openMs: options.breakerOpenMs,
    });
  }

  /** The client-facing error for a failed fetch; the details go to the log. */
  private downstream(
    reason: DownstreamReason,
    context: Partial<GatewayContext>,
    detail: Record<string, unknown>,
  ): GraphQLError {
    (context.logger ?? this.logger).warn(
      { serviceName: this.serviceName, reason, ...detail },
      'subgraph fetch failed',
    );
    return new GraphQLError(
      MESSAGES[reason](this.serviceName, this.timeoutMs),
      {
        extensions: {
          code: 'DOWNSTREAM_SERVICE_ERROR',
          serviceName: this.serviceName,
          reason,
        },
      },
    );
  }

  /**
   * Sends one fetch: a token signed for its exact body, the request id, the
   * subgraph's timeout and circuit breaker. (Not RemoteGraphQLDataSource,
   * which passes a subgraph's HTTP error through with its URL and body, and
   * has no timeout.)
   */
  async process(options: ProcessOptions): Promise<Response> {
    // The fast path of a single-fetch operation already sent this fetch and
    // counted it; the gateway's executor shapes its answer
    // (singleFetchExecutor.ts).
    const replay =
      'incomingRequestContext' in options
        ? takeReplayedFetch(options.context, this.serviceName)
        : undefined;
    if (replay) {
      if ('error' in replay) throw replay.error;
      return replay.response;
    }
    const end = fetchDuration.startTimer({ subgraph: this.serviceName });
    try {
      const response = await this.fetchOnce(options);
      end({ outcome: 'ok' });
      return response;
    } catch (error) {
      const reason = (error as { extensions?: { reason?: unknown } }).extensions
        ?.reason;
      end({ outcome: typeof reason === 'string' ? reason : 'error' });
      throw error;
    }
  }

  private async fetchOnce(options: ProcessOptions): Promise<Response> {
    const context = options.context as Partial<GatewayContext>;
    // Marked before the fetch, so the audit event names the subgraph even
    // when the fetch fails (and for each caller of a shared fetch).
    context.subgraphsCalled?.add(this.serviceName);
    const { variables, operationName, extensions } = options.request;
    let query = options.request.query;
    const entities = context.responseCache?.entities ?? null;
    const schema = entities && this.entityTagging?.schema();
    if (entities && schema && query !== undefined && this.entityTagging)
      query = this.entityTagging.tagger.rewrite(
        query,
        this.serviceName,
        schema,
        this.entityTagging.model(),
      );
    const body = JSON.stringify({
      query,
      variables,
      operationName,
      extensions,
    });

    let reply: Reply;
    try {
      const key =
        this.deduplicate &&
        context.viewer &&
        context.requestId &&
        !context.auditedWrite &&
        isQuery(options, query)
          ? `${accessClass(context.viewer)}\n${context.responseCache?.sequence ?? ''}\n${body}`
          : null;
      if (key === null) {
        reply = await this.send(body, context);
      } else {
        const inflight = this.inflight.get(key);
        if (inflight) {
          deduplicated.inc({ subgraph: this.serviceName });
          const shared = await inflight;
          // Each caller gets its own objects: the gateway merges into them.
          reply = { ...shared, parsed: parseJson(shared.text) };
        } else {
          const sent = this.send(body, context);
          this.inflight.set(key, sent);
          try {
            reply = await sent;
          } finally {
            this.inflight.delete(key);
          }
        }
      }
    } catch (error) {
      if (error instanceof FetchFailure)
        throw this.downstream(error.reason, context, error.detail);
      throw error;
    }

    const { status, parsed } = reply;
    if (status >= 500 || parsed === undefined || parsed === null) {
      throw this.downstream('error', context, { status });
    }
    if (status === 401 || status === 403) {
      // The subgraph refused the gateway's own token (clock skew, key
      // mismatch): an operator problem, never the caller's.
      throw this.downstream('refused', context, {
        status,
        errors: (parsed as { errors?: unknown }).errors,
      });
    }
    const graphql = parsed as Record<string, unknown>;
    if (
      typeof graphql !== 'object' ||
      (!('data' in graphql) && !Array.isArray(graphql['errors']))
    ) {
      throw this.downstream('error', context, { status });
    }
    this.takeEnforcementReport(graphql, context);
    if (entities) collectEntities(graphql['data'], entities);
    return graphql as Response;
  }

  /**
   * Takes the subgraph's enforcement report (lib/records/access
   * enforcementReport) out of its response, for the audit event: it is for
   * the gateway only, so it never reaches the client whatever the gateway
   * does with extensions.
   */
  private takeEnforcementReport(
    graphql: Record<string, unknown>,
    context: Partial<GatewayContext>,
  ): void {
    const extensions = graphql['extensions'];
    if (typeof extensions !== 'object' || extensions === null) return;
    const { [ENFORCEMENT_EXTENSION]: report, ...others } = extensions as Record<
      string,
      unknown
    >;
    if (Object.keys(others).length > 0) graphql['extensions'] = others;
    else delete graphql['extensions'];
    if (isEnforcementReport(report)) {
      context.enforcement?.push({ subgraph: this.serviceName, report });
    } else if (report !== undefined) {
      (context.logger ?? this.logger).warn(
        { serviceName: this.serviceName },
        'subgraph sent a malformed enforcement report; the audit event marks its fields as not evaluated',
      );
    }
  }

  /**
   * One HTTP fetch with its own single-use token (signed for the caller who
   * sends it), the breaker's accounting done once per fetch.
   * @throws FetchFailure when nothing came back.
   */
  private async send(
    body: string,
    context: Partial<GatewayContext>,
  ): Promise<Reply> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
    };
    // Health checks and schema loading carry no request context (unused:
    // the supergraph is static), and so no token.
    if (context.viewer && context.requestId) {
      headers[GATEWAY_TOKEN_HEADER] = signGatewayTokenSync(this.signingKey, {
        viewer: context.viewer,
        requestId: context.requestId,
        ttlSeconds: this.tokenTtlSeconds,
        subgraph: this.serviceName,
        body,
        ...(context.auditedWrite ? { auditEvent: context.requestId } : {}),
      });
      headers[REQUEST_ID_HEADER] = context.requestId;
    }
    // W3C traceparent of the current span (the gateway's fetch span; for a
    // shared fetch, its sender's): the subgraph's spans join the caller's
    // trace. A no-op when tracing is off.
    propagation.inject(otelContext.active(), headers);
    if (!this.breaker.tryAcquire()) throw new FetchFailure('circuit_open', {});

    // A timer cleared once the answer is read, rather than
    // AbortSignal.timeout: that one stays armed (with a weak reference for
    // its cleanup) for the whole timeout after every fetch, several
    // microseconds more per fetch and thousands of live timers under load.
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(
      () =>
        controller.abort(
          new DOMException(
            'The subgraph did not answer in time',
            'TimeoutError',
          ),
        ),
      this.timeoutMs,
    );
    // Like AbortSignal.timeout: the timer alone never keeps the process up.
    timer.unref();
    let status: number;
    let text: string;
    try {
      const fetchResponse = await this.fetch(this.url, {
        method: 'POST',
        headers,
        body,
        signal,
      });
      status = fetchResponse.status;
      text = await fetchResponse.text();
    } catch (error) {
      this.breaker.failure();
      throw new FetchFailure(signal.aborted ? 'timeout' : 'unreachable', {
        err: describeError(error),
      });
    } finally {
      clearTimeout(timer);
    }
    const parsed = parseJson(text);
    if (status >= 500 || parsed === undefined || parsed === null)
      this.breaker.failure();
    else this.breaker.success();
    return { status, text, parsed };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
