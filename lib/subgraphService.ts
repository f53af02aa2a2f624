/**
 * Runs one subgraph as its own service: configuration, database, the
 * gateway-token check on every request, `/health` and `/ready`, graceful stop.
 * Each subgraph's `src/index.ts` is a call to {@link runSubgraph}.
 */
import type { ApolloServer } from '@apollo/server';
import type { Connection } from 'mongoose';
import { loadConfig, type Config, type SubgraphName } from './config.js';
import {
  GATEWAY_TOKEN_HEADER,
  loadGatewayVerifyKey,
  verifyGatewayToken,
} from './gatewayToken.js';
import { GraphQLError } from 'graphql';
import { ErrorCode, UnauthenticatedError } from './errors.js';
import { connectRedis } from './redis.js';
import {
  createMemoryReplayStore,
  createRedisReplayStore,
  type ReplayStore,
} from './replayStore.js';
import { createHttpService, type HttpService } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { connectDatabase, pingDatabase, resolveDatabase } from './mongo.js';
import type { SubgraphContext } from './subgraph.js';

/** What a subgraph's `createServer` receives. */
export interface SubgraphDeps {
  connection: Connection;
  logger: Logger;
  config: Readonly<Config>;
}

/** What a subgraph's `createServer` returns. */
export interface SubgraphServer<TContext extends SubgraphContext> {
  apollo: ApolloServer<TContext>;
  /** Adds the subgraph's own per-request parts (loaders) to the base context. */
  createContext: (base: SubgraphContext) => TContext;
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
  createServer: (deps: SubgraphDeps) => SubgraphServer<TContext>,
): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({
    service: `subgraph-${name}`,
    level: config.logLevel,
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
  const server = createServer({ connection, logger, config });
  const http = createSubgraphHttpService({
    server,
    connection,
    logger,
    gatewayKey,
    name,
    replay,
  });
  const url = await http.listen(config.subgraphs[name].port, config.bindHost);
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
    await http.stop();
    redis?.disconnect();
    await connection.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
