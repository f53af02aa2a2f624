/**
 * The subgraph service, one concept from schema to process: what every
 * subgraph server is made of (the schema from its own `schema.graphql` with
 * Federation, the access rules it declares enforced, errors masked, no
 * reporting to any outside service) and how it runs as its own service
 * (configuration, database, the gateway-token check on every request,
 * `/health` and `/ready`, graceful stop). Each subgraph's `src/server.ts`
 * calls {@link createSubgraphServer}; its `src/index.ts` is a call to
 * {@link runSubgraph}.
 */
import { readFileSync } from 'node:fs';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import {
  ApolloServer,
  type ApolloServerPlugin,
  type BaseContext,
} from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { Connection } from 'mongoose';
import {
  applyAccessRules,
  enforcementReportPlugin,
  type ApplyAccessRulesOptions,
} from '../records/access/index.js';
import {
  DEPARTMENTS,
  loadConfig,
  type Config,
  type Department,
  type SubgraphName,
} from '../runtime/config.js';
import {
  GATEWAY_TOKEN_HEADER,
  loadGatewayVerifyKey,
  verifyGatewayToken,
} from '../runtime/gatewayToken.js';
import {
  createFormatError,
  describeError,
  ErrorCode,
  ForbiddenError,
  UnauthenticatedError,
} from '../runtime/errors.js';
import type { EventPublisher } from '../runtime/cityEvents.js';
import { createRedisEventBroker } from '../runtime/eventBroker.js';
import { connectRedis } from '../runtime/redis.js';
import { initMetrics } from '../runtime/metrics.js';
import { stopTracing } from '../runtime/tracing.js';
import { metricsPlugin } from '../runtime/metricsPlugin.js';
import {
  createMemoryReplayStore,
  createRedisReplayStore,
  type ReplayStore,
} from '../runtime/replayStore.js';
import { createHttpService, type HttpService } from '../runtime/http.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import {
  connectDatabase,
  pingDatabase,
  resolveDatabase,
} from '../runtime/mongo.js';
import type { Viewer } from '../runtime/viewer.js';
import { startLiveAnalyses, type LiveAnalysis } from './liveAnalysis.js';
import {
  ensureTtlIndexes,
  ingestStatsTtl,
  type RetentionJob,
  type TtlIndex,
} from './retention.js';
import type { RollupJob } from './rollupJob.js';

/** How often `runSubgraph` runs the department's retention job. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
import type { IngestPipeline } from '../ingest/createIngestPipeline.js';
import { createIngestRoute } from './ingestRoute.js';
import {
  createOutboxPublisher,
  ensureOutboxIndexes,
  startOutboxRelay,
} from './eventOutbox.js';

/** What every subgraph's request context has; each subgraph adds its loaders. */
export interface SubgraphContext extends BaseContext {
  /** The caller, as forwarded by the gateway. */
  viewer: Viewer;
  /** The gateway's request id, on every log line of this request. */
  requestId: string;
  /** Child logger bound to the request id. */
  logger: Logger;
  /**
   * The gateway audit event recorded before this request was sent (its
   * request id), carried by the gateway token; null when the gateway sent
   * none. Mutations are refused without it.
   */
  auditEvent: string | null;
  /** Where resolvers publish the state changes they make (the department's outbox; docs/live.md). */
  events: EventPublisher;
}

/** The base context the HTTP layer builds for a request; the server adds `events` from its deps. */
export type SubgraphRequestContext = Omit<SubgraphContext, 'events'>;

/** Resolver map type of a subgraph. */
export type SubgraphResolvers<TContext> = GraphQLResolverMap<TContext>;

/** Reads and parses a subgraph's `schema.graphql`. */
export function loadSchema(url: URL): DocumentNode {
  return parse(readFileSync(url, 'utf8'));
}

/** What every subgraph's `createServer(deps)` receives; a subgraph may ask for more. */
export interface SubgraphDeps {
  /** The subgraph's own database. */
  connection: Connection;
  logger: Logger;
  /**
   * Where the department publishes every accepted record and state change
   * (lib/runtime/cityEvents.ts): its outbox, relayed to the broker.
   */
  events: EventPublisher;
}

/** What a subgraph's `createServer` returns. */
export interface SubgraphServer<TContext extends SubgraphContext> {
  apollo: ApolloServer<TContext>;
  /** Adds the subgraph's own per-request parts (loaders, the event publisher) to the base context. */
  createContext: (base: SubgraphRequestContext) => TContext;
  /** The department's real-time analyses, fed with its own events by `runSubgraph` (lib/subgraph-kit/liveAnalysis.ts). */
  analyses: readonly LiveAnalysis[];
  /** The department's ingestion pipeline, served on `POST /ingest` (lib/subgraph-kit/ingestRoute.ts). */
  ingest?: IngestPipeline;
  /** Collections whose documents record their events before the outbox does; the relay sweeps them (lib/subgraph-kit/pendingEvents.ts). */
  pendingEventCollections: readonly string[];
  /** The retention job of the department's personal data, run by `runSubgraph` (lib/subgraph-kit/retention.ts). */
  retention?: RetentionJob;
  /** The rollups of the department's readings, run by `runSubgraph` (lib/subgraph-kit/rollupJob.ts). */
  rollups?: RollupJob;
  /** Collections kept for a bounded time, whose TTL indexes `runSubgraph` makes at start (besides `ingest_stats`'). */
  ttlIndexes: readonly TtlIndex[];
}

/** Options of {@link createSubgraphServer}. */
export interface SubgraphServerOptions<TContext extends SubgraphContext> {
  typeDefs: DocumentNode;
  /** The subgraph's resolver map (one file per type, joined in resolvers/index.ts). */
  resolvers: object;
  deps: SubgraphDeps;
  /** Adds the subgraph's own per-request parts (models, loaders) to the base context. */
  createContext: (base: SubgraphContext) => TContext;
  /**
   * Real-time analyses of the department's events.
   * @default []
   */
  analyses?: readonly LiveAnalysis[];
  /** The department's ingestion pipeline, when it ingests records. */
  ingest?: IngestPipeline;
  /**
   * Collections whose documents record the events of their changes
   * (lib/subgraph-kit/pendingEvents.ts), swept by the outbox relay.
   * @default []
   */
  pendingEventCollections?: readonly string[];
  /**
   * Per type, who its records are about (the account's `sub`), so the audit
   * trail can list every read of a citizen's personal data
   * (lib/records/access `applyAccessRules`).
   * @default {}
   */
  dataSubjects?: ApplyAccessRulesOptions['dataSubjects'];
  /** The retention job of the department's personal data, when it declares retention periods. */
  retention?: RetentionJob;
  /** The rollup job of the department's readings (docs/trends.md), when it stores readings. */
  rollups?: RollupJob;
  /**
   * Collections of the department kept for a bounded time (TTL indexes made at
   * start, lib/subgraph-kit/retention.ts `ensureTtlIndexes`); a department
   * with `ingest` gets `ingest_stats`' without listing it.
   * @default []
   */
  ttlIndexes?: readonly TtlIndex[];
}

/**
 * The body of every subgraph's `createServer`: its Apollo Server (not
 * started, not listening; rules enforced, errors masked, no reporting) and
 * its context factory.
 */
export function createSubgraphServer<TContext extends SubgraphContext>(
  options: SubgraphServerOptions<TContext>,
): SubgraphServer<TContext> {
  const schema = applyAccessRules(
    buildSubgraphSchema([
      {
        typeDefs: options.typeDefs,
        resolvers: options.resolvers as GraphQLResolverMap<unknown>,
      },
    ]),
    options.dataSubjects ? { dataSubjects: options.dataSubjects } : {},
  );
  const apollo = new ApolloServer<TContext>({
    schema,
    // Never a stack trace in a response, whatever the mode: a subgraph
    // cannot tell the gateway from a direct caller before verifying the
    // token, and the gateway strips them anyway. They are in the log.
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError({ logger: options.deps.logger }),
    // Subgraphs are reached only through the gateway; nothing leaves the city's infrastructure.
    plugins: [
      writesNeedAuditLink<TContext>(),
      // What this subgraph enforced, for the gateway's audit event (never the client's).
      enforcementReportPlugin<TContext>(),
      metricsPlugin<TContext>({ rootFields: true }),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
    ],
    logger: options.deps.logger,
  });
  const { events } = options.deps;
  return {
    apollo,
    createContext: (base) => options.createContext({ ...base, events }),
    analyses: options.analyses ?? [],
    pendingEventCollections: options.pendingEventCollections ?? [],
    ttlIndexes: options.ttlIndexes ?? [],
    ...(options.ingest ? { ingest: options.ingest } : {}),
    ...(options.retention ? { retention: options.retention } : {}),
    ...(options.rollups ? { rollups: options.rollups } : {}),
  };
}

/**
 * A write is served only when its gateway token links it to the audit event
 * the gateway recorded before sending it, so no write can happen without a
 * gateway audit event (issue 9, finding 3).
 */
function writesNeedAuditLink<
  TContext extends SubgraphContext,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'mutation' && !contextValue.auditEvent) {
            throw new ForbiddenError(
              'Writes are accepted only from the gateway, after it has recorded their audit event.',
            );
          }
        },
      };
    },
  };
}

/** Options of {@link createSubgraphHttpService}. */
export interface SubgraphHttpServiceOptions<TContext extends SubgraphContext> {
  server: SubgraphServer<TContext>;
  connection: Connection;
  logger: Logger;
  /** The gateway's public key: requests without a valid gateway token are refused. */
  gatewayKey: Awaited<ReturnType<typeof loadGatewayVerifyKey>>;
  /** This subgraph's name: gateway tokens made for another subgraph are refused. */
  name: string;
  /** Where used gateway-token ids are remembered (Redis when several replicas run). */
  replay: ReplayStore;
}

function isDepartment(name: string): name is Department {
  return (DEPARTMENTS as readonly string[]).includes(name);
}

/** The HTTP service of a subgraph: only requests signed by the gateway are served. */
export function createSubgraphHttpService<TContext extends SubgraphContext>(
  options: SubgraphHttpServiceOptions<TContext>,
): HttpService {
  const { server, connection, logger, gatewayKey, name, replay } = options;
  return createHttpService<TContext>({
    apollo: server.apollo,
    logger,
    // The gateway sends its own id; it only joins log lines here (the id
    // that counts is the one inside the verified token).
    trustRequestIdHeader: true,
    routes:
      server.ingest && isDepartment(name)
        ? [
            createIngestRoute({
              department: name,
              pipeline: server.ingest,
              gatewayKey,
              replay,
              logger,
            }),
          ]
        : [],
    async context({ req, requestId, rawBody }) {
      const header = req.headers[GATEWAY_TOKEN_HEADER];
      try {
        const verified = await verifyGatewayToken(
          gatewayKey,
          typeof header === 'string' ? header : undefined,
          { subgraph: name, body: rawBody, replay },
        );
        return server.createContext({
          viewer: verified.viewer,
          requestId: verified.requestId,
          logger: logger.child({ requestId: verified.requestId }),
          auditEvent: verified.auditEvent,
        });
      } catch (error) {
        // Only the gateway may call a subgraph: a direct call or a forged
        // token is refused (401) and leaves a trace in the subgraph's log.
        const reason = error instanceof Error ? error.message : String(error);
        logger.warn(
          { requestId, remoteAddress: req.socket.remoteAddress, reason },
          'request refused: no valid gateway token',
        );
        if (error instanceof UnauthenticatedError) {
          throw new UnauthenticatedError(error.message, {
            http: { status: 401 },
          });
        }
        // The replay store is unreachable: refuse (fail closed), as a 503
        // the gateway reports as this service being unavailable.
        throw new GraphQLError('The service cannot verify requests now.', {
          extensions: {
            code: ErrorCode.SERVICE_UNAVAILABLE,
            http: { status: 503 },
          },
        });
      }
    },
    async ready() {
      const ok = await pingDatabase(connection);
      return { ok, details: { database: ok ? 'reachable' : 'unreachable' } };
    },
  });
}

/**
 * Starts a subgraph as a process: loadConfig → connect → listen; stops
 * cleanly on SIGINT/SIGTERM.
 */
export async function runSubgraph<TContext extends SubgraphContext>(
  name: SubgraphName,
  createServer: (
    deps: SubgraphDeps,
    config: Readonly<Config>,
  ) => SubgraphServer<TContext>,
): Promise<void> {
  const config = loadConfig();
  initMetrics(`subgraph-${name}`);
  const logger = createLogger({
    service: `subgraph-${name}`,
    level: config.logLevel,
    format: config.logFormat,
  });
  const database = await resolveDatabase(config, name, logger);
  const connection = await connectDatabase({ uri: database.uri, dbName: name });
  const gatewayKey = await loadGatewayVerifyKey(
    config.gatewayToken.publicKeyFile,
  );
  const redis = config.redis.url
    ? await connectRedis({ url: config.redis.url, logger })
    : null;
  const replay = redis
    ? createRedisReplayStore({ redis, prefix: config.redis.keyPrefix })
    : createMemoryReplayStore();
  // Events: the department's outbox, relayed to the broker by this process.
  await ensureOutboxIndexes(connection);
  const broker = config.events.redisUrl
    ? createRedisEventBroker({
        url: config.events.redisUrl,
        prefix: config.redis.keyPrefix,
        logger,
        maxLength: config.events.streamMaxLength,
      })
    : null;
  // The relay starts once the service answers (below): an event a subscriber
  // receives is resolved by the gateway through this service, so events left
  // from before a restart must not reach the broker while it cannot answer.
  let relay: ReturnType<typeof startOutboxRelay> | null = null;
  const events = createOutboxPublisher({
    connection,
    onPublished: (stored) => relay?.wake(stored),
    direct: async (list) => (await relay?.sendNow(list)) ?? false,
  });
  const server = createServer({ connection, logger, events }, config);
  // Bounded storage, before anything is served (docs/ingestion.md, "Retention").
  if (!connection.db) throw new Error(`${name}: not connected`);
  await ensureTtlIndexes(
    connection.db,
    [
      ...(server.ingest
        ? [ingestStatsTtl(config.retention.ingestStatsDays)]
        : []),
      ...server.ttlIndexes,
    ],
    logger,
  );
  const http = createSubgraphHttpService({
    server,
    connection,
    logger,
    gatewayKey,
    name,
    replay,
  });
  const analyses =
    broker && server.analyses.length > 0
      ? startLiveAnalyses({
          broker,
          source: name,
          analyses: server.analyses,
          logger,
        })
      : null;
  const url = await http.listen(config.subgraphs[name].port, config.bindHost);
  // Expired personal data is erased at start and then every hour
  // (lib/subgraph-kit/retention.ts); a failed run is logged and retried.
  const runRetention = () =>
    server.retention
      ?.run()
      .catch((error: unknown) =>
        logger.error({ err: describeError(error) }, 'retention run failed'),
      );
  void runRetention();
  const retentionTimer = server.retention
    ? setInterval(() => void runRetention(), RETENTION_INTERVAL_MS).unref()
    : null;
  // Rollups: the catch-up of what was marked while no process ran, then
  // every ROLLUP_INTERVAL_MS (lib/subgraph-kit/rollupJob.ts; it logs its errors).
  void server.rollups?.start();
  relay = startOutboxRelay({
    connection,
    broker,
    source: name,
    logger,
    pollIntervalMs: config.events.outboxPollMs,
    pendingEventCollections: server.pendingEventCollections,
  });
  logger.info(
    {
      url: `${url}/graphql`,
      database: database.embedded ? 'embedded localdb' : 'external',
    },
    `subgraph ${name} ready`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `subgraph ${name} stopping`);
    await analyses?.stop();
    if (retentionTimer) clearInterval(retentionTimer);
    await http.stop();
    await server.rollups?.stop();
    // What the last requests published still leaves, if the broker answers.
    await relay?.flush();
    await relay?.stop();
    await broker?.close();
    redis?.disconnect();
    await connection.close();
    await database.stop();
    await stopTracing();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
