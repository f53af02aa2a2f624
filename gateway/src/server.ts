/**
 * The gateway factory: ApolloGateway over the committed supergraph (hot
 * reloaded), Apollo Server with the audit and usage plugins, and the HTTP
 * front. Never listens and never reads the environment; index.ts does.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { parse } from 'graphql';
import {
  disableVendorTelemetry,
  type Config,
} from '../../lib/runtime/config.js';
import {
  createFormatError,
  ErrorCode,
  UnauthenticatedError,
} from '../../lib/runtime/errors.js';
import { createBrowserPolicy } from '../../lib/runtime/browserPolicy.js';
import { metricsPlugin } from '../../lib/runtime/metricsPlugin.js';
import {
  createHttpService,
  HttpError,
  type HttpService,
} from '../../lib/runtime/http.js';
import type { Logger } from '../../lib/runtime/logger.js';
import type { Viewer } from '../../lib/runtime/viewer.js';
import type { CallerAuthenticator } from '../../lib/gateway/createCallerAuthenticator.js';
import type { AuditTrail } from '../../lib/records/audit/index.js';
import type { UsageStore } from '../../lib/records/usage/index.js';
import { createContextFactory, type GatewayContext } from './context.js';
import { explorerRoute } from './explorer/explorerRoute.js';
import { auditPlugin, recordRefusal } from './plugins/auditPlugin.js';
import { operationResolutionPlugin } from './plugins/operationResolutionPlugin.js';
import { usagePlugin } from './plugins/usagePlugin.js';
import { responseCachePlugin } from './plugins/responseCachePlugin.js';
import {
  createCacheInvalidation,
  ingestedEntities,
  type CacheInvalidation,
} from './responseCache/cacheInvalidation.js';
import { cacheModelSource } from './responseCache/cacheModel.js';
import { EntityTagger } from './responseCache/entityTags.js';
import type { ResponseCacheStore } from './responseCache/responseCacheStore.js';
import {
  createIngestDispatcher,
  type IngestDispatcher,
} from './ingestDispatcher.js';
import { createNgsiRoutes } from './ngsiRoutes.js';
import { createOpen311Routes } from './open311Routes.js';
import { createSocialRoutes } from './socialRoutes.js';
import { operationLimits } from './limits.js';
import { createMemoryRateLimiter, type RateLimiter } from './rateLimiter.js';
import { checkRequestLimits } from './requestLimits.js';
import { CityGraphDataSource } from './subgraphDataSource.js';
import { createSubgraphHttpClient } from './subgraphHttpClient.js';
import { singleFetchExecutor } from './singleFetchExecutor.js';
import {
  createTrustedDocuments,
  type TrustedDocuments,
} from './trustedDocuments.js';
import type { SupergraphSource } from './supergraphSource.js';
import type { EventBroker } from '../../lib/runtime/eventBroker.js';
import {
  createLiveService,
  type LiveLimits,
  type LiveService,
} from './subscriptions/liveService.js';
import { followDepartmentEvents } from './subscriptions/followDepartmentEvents.js';

/** What the gateway is built from. */
export interface GatewayDeps {
  config: Readonly<Config>;
  logger: Logger;
  authenticate: CallerAuthenticator;
  /** The gateway's own key for the tokens it sends to subgraphs. */
  signingKey: KeyObject;
  supergraph: SupergraphSource;
  audit: Pick<AuditTrail, 'record' | 'ping'>;
  usage: Pick<UsageStore, 'record'>;
  /**
   * Requests per caller and window; in-process from `config.gateway.rateLimit`
   * when omitted (index.ts passes the Redis one when `REDIS_URL` is set).
   */
  rateLimiter?: RateLimiter;
  /**
   * The trusted documents (`TRUSTED_DOCUMENTS_FILE`, loaded by index.ts);
   * off when omitted (gateway/src/trustedDocuments.ts).
   */
  trustedDocuments?: TrustedDocuments;
  /**
   * Where the response cache keeps answers (index.ts builds it from
   * `config.gateway.responseCache`); no response cache when omitted.
   */
  responseCache?: ResponseCacheStore;
  /** The event broker subscriptions read (docs/live.md); without it they answer SERVICE_UNAVAILABLE. */
  events?: EventBroker | null;
  /** Limits of the live service (tests shorten them). */
  liveLimits?: Partial<LiveLimits>;
  /**
   * Serve operations planned as one fetch to one subgraph without the
   * gateway's executor when the subgraph's data needs no shaping (tests
   * compare both paths).
   * @default true
   */
  singleFetchFastPath?: boolean;
  /**
   * Usage buffer flush interval (tests shorten it).
   * @default 1000
   */
  usageFlushIntervalMs?: number;
  /**
   * How long a 429 is held before it is sent: a client that retries at once
   * (a closed-loop flood) then sends one request per connection per delay
   * instead of as many as the gateway can refuse (docs/access-control.md).
   * @default 1000
   */
  rateLimitedDelayMs?: number;
  /**
   * More readiness details (the MQTT bridge's state), shown on `/ready`
   * without deciding it: the GraphQL and NGSI doors work without the broker.
   */
  readinessDetails?: () => Record<string, string>;
}

/** A built gateway. */
export interface Gateway {
  apollo: ApolloServer<GatewayContext>;
  gateway: ApolloGateway;
  http: HttpService;
  /** Subscriptions (WebSocket and SSE on /graphql). */
  live: LiveService;
  /** Hands ingested entities to their departments (the NGSI routes' and the MQTT bridge's). */
  ingest: IngestDispatcher;
  /**
   * The response cache's invalidation, when there is a cache; `ready`
   * resolves once it follows the departments' events (at once without a broker).
   */
  responseCache: {
    invalidation: CacheInvalidation;
    ready: Promise<void>;
  } | null;
}

/** `<NAME>_URL` of a subgraph, which wins over the supergraph's routing URL. */
function subgraphUrlOverride(
  config: Readonly<Config>,
  name: string,
): string | undefined {
  return (
    config.subgraphs as Record<string, { url: string | undefined } | undefined>
  )[name]?.url;
}

/** The subgraph URLs of a supergraph (`join__Graph` values), with config overrides applied. */
export function subgraphUrls(
  supergraphSdl: string,
  config: Readonly<Config>,
): Map<string, string> {
  const urls = new Map<string, string>();
  const document = parse(supergraphSdl);
  for (const definition of document.definitions) {
    if (
      definition.kind !== 'EnumTypeDefinition' ||
      definition.name.value !== 'join__Graph'
    )
      continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find(
        (d) => d.name.value === 'join__graph',
      );
      const arg = (name: string) => {
        const node = graph?.arguments?.find(
          (a) => a.name.value === name,
        )?.value;
        return node?.kind === 'StringValue' ? node.value : undefined;
      };
      const name = arg('name');
      const url = arg('url');
      if (!name || !url) continue;
      urls.set(name, subgraphUrlOverride(config, name) ?? url);
    }
  }
  return urls;
}

/** Builds the gateway (not started, not listening). */
export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger } = deps;
  disableVendorTelemetry();

  const dataSources = new Map<string, CityGraphDataSource>();
  const cacheStore = deps.responseCache ?? null;
  const cacheModel = cacheModelSource(() => deps.supergraph.current());
  const invalidation = cacheStore
    ? createCacheInvalidation({ store: cacheStore, logger })
    : null;
  // One read of the broker for the whole gateway: the cache's invalidation
  // and the live hub share it (docs/live.md, "One reader of the broker").
  const departmentEvents = deps.events
    ? followDepartmentEvents({ broker: deps.events, logger })
    : null;
  const entityTagging = cacheStore
    ? {
        tagger: new EntityTagger(),
        schema: () => gateway.schema,
        model: cacheModel,
      }
    : undefined;
  // One keep-alive pool per subgraph origin, shared by every data source
  // (and by the data sources a supergraph reload builds).
  const subgraphClient = createSubgraphHttpClient();
  // Operations planned as one fetch to one subgraph skip the gateway's
  // executor when the subgraph's data is the answer as it is
  // (singleFetchExecutor.ts, docs/performance.md step 8).
  const singleFetch = singleFetchExecutor(
    deps.singleFetchFastPath === undefined
      ? {}
      : { enabled: deps.singleFetchFastPath },
  );
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraph.hook,
    logger,
    experimental_didResolveQueryPlan: singleFetch.didResolveQueryPlan,
    buildService: ({ name, url }) => {
      const target = subgraphUrlOverride(config, name) ?? url;
      if (!target)
        throw new Error(
          `Subgraph ${name} has no routing URL in the supergraph and no ${name.toUpperCase()}_URL.`,
        );
      const source = new CityGraphDataSource({
        name,
        url: target,
        signingKey: deps.signingKey,
        tokenTtlSeconds: config.gatewayToken.ttlSeconds,
        timeoutMs:
          (
            config.subgraphs as Record<
              string,
              { timeoutMs: number } | undefined
            >
          )[name]?.timeoutMs ?? config.gateway.subgraphTimeoutMs,
        breakerFailures: config.gateway.breakerFailures,
        breakerOpenMs: config.gateway.breakerOpenMs,
        logger,
        fetch: subgraphClient.fetch,
        ...(entityTagging ? { entityTagging } : {}),
      });
      dataSources.set(name, source);
      return source;
    },
  });

  // Readiness probes come every few seconds: parse each supergraph once.
  let probed: { sdl: string; urls: Map<string, string> } | null = null;
  const urlsOf = (sdl: string) => {
    if (probed?.sdl !== sdl) probed = { sdl, urls: subgraphUrls(sdl, config) };
    return probed.urls;
  };

  const ingest = createIngestDispatcher({
    config,
    logger,
    signingKey: deps.signingKey,
    audit: deps.audit,
    subgraphUrls: () => urlsOf(deps.supergraph.current()),
    ...(invalidation
      ? {
          onCreated: (department: string, recordIds: readonly string[]) =>
            invalidation.invalidate(
              ingestedEntities(cacheModel(), department, recordIds),
              'ingest',
            ),
        }
      : {}),
  });

  const limits = operationLimits();
  const trusted =
    deps.trustedDocuments ?? createTrustedDocuments(new Map(), 'off');
  const live = createLiveService({
    events: departmentEvents,
    authenticate: deps.authenticate,
    logger,
    gateway,
    apollo: () => apollo,
    getSupergraphSdl: () => deps.supergraph.current(),
    // A subscription is priced with its variables; batches are sized per
    // query text, without them (the worst case).
    validationRules: limits.validationRules,
    worstCaseValidationRules: limits.worstCaseValidationRules,
    ...(deps.liveLimits ? { limits: deps.liveLimits } : {}),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway: {
      onSchemaLoadOrUpdate: (callback) =>
        gateway.onSchemaLoadOrUpdate(callback),
      load: async (options) => {
        const loaded = await gateway.load(options);
        return {
          executor: loaded.executor && singleFetch.wrap(loaded.executor),
        };
      },
      stop: () => gateway.stop(),
    },
    validationRules: limits.validationRules,
    introspection: true,
    // Stack traces never reach clients through the gateway, whatever the
    // mode; they are in the services' logs under the request id.
    includeStacktraceInErrorResponses: false,
    // APQ; with trusted documents, served from the list (and, enforced, only from it).
    ...(trusted.persistedQueries === undefined
      ? {}
      : { persistedQueries: trusted.persistedQueries }),
    // The HTTP layer's browser policy does the CSRF check (Apollo's rule,
    // widened for the clients' defaults: lib/runtime/browserPolicy.ts).
    csrfPrevention: false,
    formatError: createFormatError({ logger }),
    logger,
    plugins: [
      // No data leaves the city's infrastructure (issue: no usage or schema reports to Apollo).
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      // Apollo's landing page loads Sandbox from Apollo's CDN; the city's
      // explorer is served from our own node_modules (explorerRoute).
      ApolloServerPluginLandingPageDisabled(),
      metricsPlugin<GatewayContext>(),
      live.plugin,
      operationResolutionPlugin(),
      // Armor is typed against the CJS build of @apollo/server; same runtime objects.
      ...(limits.plugins as unknown as ApolloServerPlugin<GatewayContext>[]),
      auditPlugin({
        trail: deps.audit,
        getSupergraphSdl: () => deps.supergraph.current(),
        logger,
      }),
      ...(cacheStore && invalidation
        ? [
            responseCachePlugin({
              store: cacheStore,
              model: cacheModel,
              getSupergraphSdl: () => deps.supergraph.current(),
              invalidate: (entities) =>
                invalidation.invalidate(entities, 'mutation'),
              logger,
            }),
          ]
        : []),
      usagePlugin({
        store: deps.usage,
        logger,
        ...(deps.usageFlushIntervalMs === undefined
          ? {}
          : { flushIntervalMs: deps.usageFlushIntervalMs }),
      }),
    ],
  });

  const rateLimiter =
    deps.rateLimiter ?? createMemoryRateLimiter(config.gateway.rateLimit);
  const rateLimitedDelayMs = deps.rateLimitedDelayMs ?? 1000;
  // The caller's token is verified once per request: by the admission (for
  // its rate-limit key) and reused by the context.
  const verified = new WeakMap<IncomingMessage, Promise<Viewer>>();
  const authenticate = (req: IncomingMessage): Promise<Viewer> => {
    let viewer = verified.get(req);
    if (!viewer) {
      viewer = deps.authenticate(req.headers.authorization);
      // Observed here so that a refused token is not an unhandled rejection
      // before the context reads it.
      viewer.catch(() => {});
      verified.set(req, viewer);
    }
    return viewer;
  };
  /**
   * The rate limit, checked before the body is read (lib/runtime/http.ts
   * `admit`), so a flood's refusals cost a token check and a counter:
   * verified callers count per subject (internal apps may share one IP);
   * anonymous callers and refused tokens per client IP.
   */
  const admit = async (req: IncomingMessage): Promise<void> => {
    const { requests, windowMs } = config.gateway.rateLimit;
    if (requests === 0) return;
    const subject = await authenticate(req).then(
      (viewer) => viewer.subject,
      () => null,
    );
    const key =
      subject === null
        ? `ip:${req.socket.remoteAddress ?? 'unknown'}`
        : `sub:${subject}`;
    const verdict = await rateLimiter.hit(key);
    if (verdict.allowed) return;
    await new Promise((resolve) =>
      setTimeout(
        resolve,
        Math.min(rateLimitedDelayMs, verdict.retryAfterSeconds * 1000),
      ),
    );
    throw new HttpError(
      429,
      `Too many requests: at most ${requests} per ${windowMs / 1000} s per caller. Retry after ${verdict.retryAfterSeconds} s.`,
      ErrorCode.RATE_LIMITED,
      { 'retry-after': String(verdict.retryAfterSeconds) },
      { retryAfterSeconds: verdict.retryAfterSeconds },
    );
  };

  const contextFor = createContextFactory({ authenticate, logger });
  const http = createHttpService<GatewayContext>({
    apollo,
    logger,
    browserPolicy: createBrowserPolicy({
      allowedOrigins: config.cors.origins,
      allowLocalhost: config.cors.allowLocalhost,
    }),
    onRefused: (refusal) => {
      logger.info(
        {
          requestId: refusal.requestId,
          status: refusal.status,
          code: refusal.code,
          remoteAddress: refusal.remoteAddress,
        },
        'request refused',
      );
      void recordRefusal(deps.audit, refusal, logger);
    },
    inspect: (request) => {
      checkRequestLimits(request);
      // Before parsing: a document off the list costs a hash, nothing more.
      trusted.check(request);
    },
    routes: [
      live.route,
      explorerRoute(),
      // FIWARE NGSI-LD and NGSI-v2 batch endpoints for partners (docs/ingestion.md).
      ...createNgsiRoutes({
        config,
        logger,
        authenticate: deps.authenticate,
        dispatcher: ingest,
      }),
      // Public posts pushed by a partner's webhook (docs/ingestion.md, "Social media").
      createSocialRoutes({
        config,
        logger,
        authenticate: deps.authenticate,
        dispatcher: ingest,
      }),
      // Open311 GeoReport v2 for reporting apps (docs/open311.md).
      createOpen311Routes({
        apollo: () => apollo,
        authenticate: deps.authenticate,
        logger,
      }),
    ],
    reportsRefusals: (context) => context.audit.recorded,
    admit,
    async context(args) {
      try {
        return await contextFor(args);
      } catch (error) {
        if (error instanceof UnauthenticatedError) {
          // 401 for a refused token; the request id lets the audit plugin record the refusal.
          throw new UnauthenticatedError(error.message, {
            http: { status: 401 },
            requestId: args.requestId,
          });
        }
        throw error;
      }
    },
    async ready() {
      const details: Record<string, unknown> = {};
      let ok = true;
      let sdl: string;
      try {
        sdl = deps.supergraph.current();
      } catch {
        return { ok: false, details: { supergraph: 'not loaded' } };
      }
      await Promise.all(
        [...urlsOf(sdl)].map(async ([name, url]) => {
          try {
            const response = await fetch(new URL('/health', url), {
              signal: AbortSignal.timeout(2000),
            });
            const circuit = dataSources.get(name)?.breaker.state ?? 'closed';
            details[name] = !response.ok
              ? `HTTP ${response.status}`
              : circuit === 'closed'
                ? 'up'
                : `up (circuit ${circuit})`;
            ok &&= response.ok;
          } catch {
            details[name] = 'unreachable';
            ok = false;
          }
        }),
      );
      const auditOk = await deps.audit.ping().catch(() => false);
      details['auditStore'] = auditOk ? 'reachable' : 'unreachable';
      ok &&= auditOk;
      Object.assign(details, deps.readinessDetails?.() ?? {});
      return { ok, details };
    },
  });

  live.attach(http.httpServer);
  // Changes made through other replicas and the departments' own
  // conclusions reach the cache as events (docs/live.md).
  const cacheReady =
    invalidation && departmentEvents
      ? invalidation.follow(departmentEvents).catch((error: unknown) => {
          logger.error(
            { err: error instanceof Error ? error.message : String(error) },
            'response cache: departments events not followed; answers are kept at most their maxAge',
          );
        })
      : Promise.resolve();
  return {
    apollo,
    gateway,
    http: {
      ...http,
      async stop() {
        await http.stop();
        await invalidation?.stop();
        await departmentEvents?.stop();
        await subgraphClient.close();
      },
    },
    live,
    ingest,
    responseCache: invalidation ? { invalidation, ready: cacheReady } : null,
  };
}
