/** Starts the gateway as its own service: loadConfig → connect → listen. */
// First: tracing must start before what it instruments is loaded.
import './tracing.js';
import { loadConfig } from '../../lib/runtime/config.js';
import { createCallerAuthenticator } from '../../lib/gateway/createCallerAuthenticator.js';
import {
  createAuditCheckpointer,
  createAuditTrail,
} from '../../lib/records/audit/index.js';
import { loadGatewaySigningKey } from '../../lib/runtime/gatewayToken.js';
import { createLogger } from '../../lib/runtime/logger.js';
import { initMetrics } from '../../lib/runtime/metrics.js';
import { stopTracing } from '../../lib/runtime/tracing.js';
import { connectDatabase, resolveDatabase } from '../../lib/runtime/mongo.js';
import { createUsageStore } from '../../lib/records/usage/index.js';
import { connectRedis } from '../../lib/runtime/redis.js';
import { createRedisEventBroker } from '../../lib/runtime/eventBroker.js';
import { createRedisRateLimiter } from './rateLimiter.js';
import { startMqttBridge, type MqttBridge } from './mqttBridge.js';
import { createGateway } from './server.js';
import { createSupergraphSource } from './supergraphSource.js';
import { loadTrustedDocuments } from './trustedDocuments.js';
import {
  createMemoryResponseCacheStore,
  createRedisResponseCacheStore,
} from './responseCache/responseCacheStore.js';

const config = loadConfig();
initMetrics('gateway');
const logger = createLogger({
  service: 'gateway',
  level: config.logLevel,
  format: config.logFormat,
});
const governanceDb = await resolveDatabase(config, 'governance', logger);
const governance = await connectDatabase({
  uri: governanceDb.uri,
  dbName: 'governance',
});
const audit = createAuditTrail({
  connection: governance,
  chainId: config.audit.chainId,
  logger,
});
const signingKey = await loadGatewaySigningKey(
  config.gatewayToken.privateKeyFile,
);
// Signed heads of this replica's chain, so a truncated tail is detected
// (npm run audit:verify) without a head saved by hand.
const checkpoints = createAuditCheckpointer({
  connection: governance,
  chainId: config.audit.chainId,
  signingKey,
  logger,
  intervalMs: config.audit.checkpointIntervalMs,
});
const usage = createUsageStore(governance);
await usage.ensureIndexes();
const supergraph = createSupergraphSource({
  ...(config.gateway.supergraphUrl
    ? { url: config.gateway.supergraphUrl }
    : { path: config.gateway.supergraphPath }),
  pollIntervalMs: config.gateway.supergraphPollIntervalMs,
  logger,
});
// Several replicas share Redis (rate limits); without it, in-process.
const redis = config.redis.url
  ? await connectRedis({ url: config.redis.url, logger })
  : null;
// Subscriptions read the departments' events from the broker (docs/live.md).
const events = config.events.redisUrl
  ? createRedisEventBroker({
      url: config.events.redisUrl,
      prefix: config.redis.keyPrefix,
      logger,
      maxLength: config.events.streamMaxLength,
    })
  : null;
// Trusted documents (a safelist): production can serve only the listed operations.
const { file: trustedFile, mode: trustedMode } =
  config.gateway.trustedDocuments;
const trustedDocuments =
  trustedFile !== undefined && trustedMode !== 'off'
    ? await loadTrustedDocuments(trustedFile, trustedMode)
    : undefined;
if (trustedDocuments)
  logger.info(
    { mode: trustedDocuments.mode, operations: trustedDocuments.size },
    'trusted documents loaded',
  );
// The response cache: shared through Redis by every replica, or in the process.
const { mode: cacheMode, maxEntries } = config.gateway.responseCache;
const responseCache =
  cacheMode === 'redis' && redis
    ? createRedisResponseCacheStore({
        redis,
        prefix: config.redis.keyPrefix,
        logger,
      })
    : cacheMode === 'memory'
      ? createMemoryResponseCacheStore({ maxEntries })
      : undefined;
logger.info({ mode: cacheMode }, 'response cache');
let bridge: MqttBridge | null = null;
const { http, live, ingest } = createGateway({
  config,
  logger,
  authenticate: createCallerAuthenticator(config.auth),
  signingKey,
  supergraph,
  audit,
  usage,
  events,
  liveLimits: config.live,
  readinessDetails: () =>
    config.mqtt.url ? { mqttBridge: bridge?.status() ?? 'connecting' } : {},
  ...(trustedDocuments ? { trustedDocuments } : {}),
  ...(responseCache ? { responseCache } : {}),
  ...(redis
    ? {
        rateLimiter: createRedisRateLimiter({
          redis,
          prefix: config.redis.keyPrefix,
          logger,
          ...config.gateway.rateLimit,
        }),
      }
    : {}),
});
const url = await http.listen(config.gateway.port, config.bindHost);
logger.info({ url: `${url}/graphql` }, 'gateway ready');
// Devices over MQTT, into the same dispatcher as the NGSI endpoints
// (docs/decisions/0011-mqtt-bridge-beside-the-gateway.md). The broker being
// down does not stop the gateway: the bridge reconnects.
if (config.mqtt.url)
  bridge = await startMqttBridge({
    mqtt: { ...config.mqtt, url: config.mqtt.url },
    dispatcher: ingest,
    logger,
  });

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'gateway stopping');
  await bridge?.stop();
  await live.stop();
  await http.stop();
  await events?.close();
  redis?.disconnect();
  await audit.close();
  await checkpoints.stop();
  await governance.close();
  await governanceDb.stop();
  await stopTracing();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
