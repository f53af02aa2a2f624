/**
 * The one typed, validated configuration module. The only file that reads
 * `process.env`; every service calls {@link loadConfig} once in its
 * `index.ts` and passes the result down.
 */
import path from 'node:path';

/** The four city departments, each with its own subgraph and database. */
export const DEPARTMENTS = [
  'mobility',
  'environment',
  'economy',
  'engagement',
] as const;
/** A department name. */
export type Department = (typeof DEPARTMENTS)[number];

/** Every subgraph: the departments plus the platform-owned governance subgraph. */
export const SUBGRAPH_NAMES = [...DEPARTMENTS, 'governance'] as const;
/** A subgraph name. */
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default ports: gateway 4000, subgraphs 4001–4005 in {@link SUBGRAPH_NAMES} order. */
export const DEFAULT_PORTS: Readonly<Record<SubgraphName | 'gateway', number>> =
  {
    gateway: 4000,
    mobility: 4001,
    environment: 4002,
    economy: 4003,
    engagement: 4004,
    governance: 4005,
  };

/** Raw readings are kept this many days unless `READINGS_RAW_RETENTION_DAYS` says otherwise. */
export const DEFAULT_RAW_RETENTION_DAYS = 90;

/** Ingestion's hourly counts (the data-quality view) are kept this many days unless `INGEST_STATS_RETENTION_DAYS` says otherwise. */
export const DEFAULT_INGEST_STATS_RETENTION_DAYS = 400;

/** Social posts are kept this many days after they were posted unless `SOCIAL_POSTS_RETENTION_DAYS` says otherwise. */
export const DEFAULT_SOCIAL_POSTS_RETENTION_DAYS = 365;

/** Settings of one subgraph service. */
export interface SubgraphConfig {
  /** `<NAME>_PORT`. */
  readonly port: number;
  /** `<NAME>_MONGODB_URI`; unset means the embedded localdb (development only). */
  readonly mongodbUri: string | undefined;
  /** `<NAME>_URL`: where the gateway reaches it, overriding supergraph.yaml's routing_url. */
  readonly url: string | undefined;
  /** `<NAME>_TIMEOUT_MS`: the gateway's limit on one fetch to it. @default `SUBGRAPH_TIMEOUT_MS` */
  readonly timeoutMs: number;
}

/** The whole configuration. */
export interface Config {
  /** `NODE_ENV`: `development` (default), `test` or `production`. */
  readonly env: 'development' | 'test' | 'production';
  /** `LOG_LEVEL` @default 'info' */
  readonly logLevel: string;
  /**
   * `LOG_FORMAT`: `json` (one JSON line per event, for log collectors),
   * `pretty` (readable, for a developer's terminal) or `auto` (pretty when
   * stdout is a terminal, JSON otherwise). @default 'auto'
   */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** OpenTelemetry tracing (lib/runtime/tracing.ts); the SDK itself reads the other `OTEL_*` variables. */
  readonly tracing: {
    /**
     * On when `OTEL_TRACES_EXPORTER` names an exporter other than `none`, or
     * `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is
     * set; always off with `OTEL_SDK_DISABLED=true`. @default false
     */
    readonly enabled: boolean;
  };
  /** `BIND_HOST`: the interface services listen on. @default '127.0.0.1' */
  readonly bindHost: string;
  /** `DATA_DIR`: embedded databases and development keys. @default '.data' */
  readonly dataDir: string;
  readonly gateway: {
    /** `GATEWAY_PORT` @default 4000 */
    readonly port: number;
    /** `SUPERGRAPH_PATH` @default 'supergraph.graphql' */
    readonly supergraphPath: string;
    /** `SUPERGRAPH_URL`: fetch the supergraph from a URL instead of the file (deployments). */
    readonly supergraphUrl: string | undefined;
    /** `SUPERGRAPH_POLL_INTERVAL_MS`: how often the supergraph source is checked. @default 2000 */
    readonly supergraphPollIntervalMs: number;
    /** `SUBGRAPH_TIMEOUT_MS`: per subgraph fetch, unless `<NAME>_TIMEOUT_MS` says otherwise. @default 5000 */
    readonly subgraphTimeoutMs: number;
    /** `SUBGRAPH_BREAKER_FAILURES`: consecutive failures (timeout, unreachable, 5xx) that open a subgraph's circuit. @default 3 */
    readonly breakerFailures: number;
    /** `SUBGRAPH_BREAKER_OPEN_MS`: how long an open circuit fails fast before one probe goes through. @default 5000 */
    readonly breakerOpenMs: number;
    /** Requests per caller (subject, or IP for anonymous callers) and window; over it, 429 with Retry-After. */
    readonly rateLimit: {
      /** `RATE_LIMIT_REQUESTS`: requests per window and caller; 0 turns rate limiting off. @default 1200 */
      readonly requests: number;
      /** `RATE_LIMIT_WINDOW_MS` @default 60000 */
      readonly windowMs: number;
    };
    /**
     * Trusted documents (a safelist of operations, gateway/src/trustedDocuments.ts,
     * docs/performance.md): `TRUSTED_DOCUMENTS_FILE` is an Apollo persisted-query
     * manifest; `TRUSTED_DOCUMENTS_MODE` is `enforce` (only its operations are
     * served, by id or by full text) or `allow` (its ids are served and any
     * other operation too). Without a file, `off`.
     */
    readonly trustedDocuments: {
      /** `TRUSTED_DOCUMENTS_FILE` (absolute once loaded); unset means off. */
      readonly file: string | undefined;
      /** `TRUSTED_DOCUMENTS_MODE` @default 'enforce' with a file, 'off' without */
      readonly mode: 'off' | 'allow' | 'enforce';
    };
    /**
     * The response cache of public answers (gateway/src/plugins/responseCachePlugin.ts,
     * docs/performance.md, docs/operations.md).
     */
    readonly responseCache: {
      /**
       * `RESPONSE_CACHE`: `off`, `memory` (in the gateway's process) or
       * `redis` (shared by every replica; needs `REDIS_URL`).
       * @default 'off' in test, else 'redis' with `REDIS_URL`, else 'memory'
       */
      readonly mode: 'off' | 'memory' | 'redis';
      /** `RESPONSE_CACHE_MAX_ENTRIES`: answers kept in the process (`memory`), least recently used dropped first. @default 10000 */
      readonly maxEntries: number;
    };
  };
  /** The shared Redis (rate limits, used gateway-token ids), for several replicas. */
  readonly redis: {
    /** `REDIS_URL`; unset means in-process stores (one process only: the embedded default). */
    readonly url: string | undefined;
    /** `REDIS_KEY_PREFIX`: every key starts with it, so deployments and test runs sharing one Redis never collide. @default 'city-graph:' */
    readonly keyPrefix: string;
  };
  /** The event broker of the live city (docs/live.md, docs/decisions/0006-events-through-redis-streams.md). */
  readonly events: {
    /**
     * Redis the departments' outbox relays append to and the gateway's
     * subscriptions read: `REDIS_URL`, or in development
     * `redis://127.0.0.1:6379` (as `npm start` expects on this machine).
     * Unset in test and production without `REDIS_URL`: events then wait in
     * each department's outbox and subscriptions are unavailable.
     */
    readonly redisUrl: string | undefined;
    /** `EVENTS_STREAM_MAX_LENGTH`: entries kept per department stream. @default 100000 */
    readonly streamMaxLength: number;
    /** `EVENTS_OUTBOX_POLL_MS`: how often a relay looks for events written by another replica. @default 1000 */
    readonly outboxPollMs: number;
  };
  /** Limits of the gateway's subscriptions (docs/live.md, "Limits"). */
  readonly live: {
    /** `LIVE_CONNECTIONS_PER_CALLER`: open WebSocket/SSE connections per caller (subject, or IP when anonymous). @default 10 */
    readonly connectionsPerCaller: number;
    /** `LIVE_SUBSCRIPTIONS_PER_CONNECTION` @default 20 */
    readonly subscriptionsPerConnection: number;
  };
  /** The MQTT bridge of the gateway: devices publish signed readings (docs/ingestion.md, "MQTT"). */
  readonly mqtt: {
    /**
     * `MQTT_URL` (`mqtt:`, `mqtts:`, `ws:`, `wss:`): the broker the bridge
     * subscribes on; in development `mqtt://127.0.0.1:1883` (the machine's
     * Mosquitto). Unset in test and production: no bridge.
     */
    readonly url: string | undefined;
    /** `MQTT_TOPIC_PREFIX`: topics are `<prefix><department>/<device id>`. @default 'marseille/' */
    readonly topicPrefix: string;
    /** `MQTT_CLIENT_ID`: the bridge's session (one per gateway replica); connection `i` is `<id>-<i>`. @default 'city-graph-bridge-<hostname>' */
    readonly clientId: string;
    /** `MQTT_SHARE_GROUP`: the shared-subscription group, so each message goes to one bridge connection of one replica. @default 'city-graph-ingest' */
    readonly shareGroup: string;
    /** `MQTT_CONNECTIONS`: parallel bridge connections (each handles one message at a time). @default 4 */
    readonly connections: number;
    /** `MQTT_USERNAME` / `MQTT_PASSWORD`: the bridge's own login at the broker, if it needs one. */
    readonly username: string | undefined;
    readonly password: string | undefined;
    /**
     * `MQTT_DEVICE_KEYS_FILE`: a JWKS of the devices' public keys (`kid` = the
     * device's graph id); a message not signed by its device is refused.
     * @default '<DATA_DIR>/keys/devices.jwks.json'
     */
    readonly deviceKeysFile: string;
  };
  /** Raw readings of the departments' sensors (docs/ingestion.md, "Raw readings"; docs/trends.md). */
  readonly readings: {
    /**
     * `READINGS_RAW_RETENTION_DAYS`: how long raw readings are kept before
     * TTL removes them; older ranges answer from rollups only. @default 90
     */
    readonly rawRetentionDays: number;
  };
  /** How long ingestion's other collections are kept, by TTL (docs/ingestion.md, "Retention"). */
  readonly retention: {
    /**
     * `INGEST_STATS_RETENTION_DAYS`: days each hour of `ingest_stats` (the
     * data-quality view's counts) is kept, from its hour. @default 400
     */
    readonly ingestStatsDays: number;
    /**
     * `SOCIAL_POSTS_RETENTION_DAYS`: days a social post (engagement's
     * `social_posts`, pseudonymized) is kept, from when it was posted;
     * `socialTopics` answers nothing older. @default 365
     */
    readonly socialPostsDays: number;
  };
  /** Rollups of readings per 15 minutes, hour and day (lib/subgraph-kit/rollups.ts, docs/trends.md). */
  readonly rollups: {
    /** `ROLLUP_INTERVAL_MS`: how often each subgraph recomputes the windows marked on ingest. @default 2000 */
    readonly intervalMs: number;
    /**
     * Days each resolution is kept: `ROLLUP_RETENTION_15M_DAYS` (default 400),
     * `ROLLUP_RETENTION_1H_DAYS` and `ROLLUP_RETENTION_1D_DAYS` (default 3650).
     * 15-minute rollups must outlive raw readings (hours are recomputed from them).
     */
    readonly retentionDays: {
      readonly '15m': number;
      readonly '1h': number;
      readonly '1d': number;
    };
  };
  /** Per subgraph settings. */
  readonly subgraphs: Readonly<Record<SubgraphName, SubgraphConfig>>;
  /** Verification of callers' bearer tokens at the gateway. */
  readonly auth: {
    /** `AUTH_JWKS_URL`: the identity provider's JWKS. */
    readonly jwksUrl: string | undefined;
    /** `AUTH_PUBLIC_KEY_FILE`: a PEM (SPKI) public key, instead of a JWKS. Development default: `<DATA_DIR>/keys/issuer.public.pem`. */
    readonly publicKeyFile: string | undefined;
    /** `AUTH_ISSUER` @default 'urn:marseille:dev-issuer' outside production */
    readonly issuer: string;
    /** `AUTH_AUDIENCE` @default 'urn:marseille:city-graph' outside production */
    readonly audience: string;
    /** `AUTH_CLOCK_TOLERANCE_S` @default 5 */
    readonly clockToleranceSeconds: number;
  };
  /** The gateway-to-subgraph token the gateway signs with its own key. */
  readonly gatewayToken: {
    /** `GATEWAY_TOKEN_PRIVATE_KEY_FILE` (gateway only). @default '<DATA_DIR>/keys/gateway.private.pem' */
    readonly privateKeyFile: string;
    /** `GATEWAY_TOKEN_PUBLIC_KEY_FILE` (subgraphs). @default '<DATA_DIR>/keys/gateway.public.pem' */
    readonly publicKeyFile: string;
    /** `GATEWAY_TOKEN_TTL_S` @default 60 */
    readonly ttlSeconds: number;
  };
  readonly audit: {
    /** `AUDIT_CHAIN_ID`: one hash chain per gateway replica. @default 'gateway-<hostname>' */
    readonly chainId: string;
    /**
     * `AUDIT_CHECKPOINT_INTERVAL_MS`: how often the gateway signs and stores a
     * checkpoint of its chain's head (0: only when it stops). @default 300000
     */
    readonly checkpointIntervalMs: number;
  };
  /** Public social-media posts pushed by partners (docs/ingestion.md, "Social media"). */
  readonly social: {
    /**
     * `SOCIAL_AUTHOR_KEY`: the secret of the keyed HMAC that pseudonymizes a
     * post's author and id at the gateway (at least 32 characters; rotating
     * it makes every later post a new author). In production, unset turns
     * the social webhook off (it answers 503); elsewhere a fixed
     * development key.
     */
    readonly authorKey: string | undefined;
  };
  /** Which web pages may call the gateway from a browser (docs/clients.md). */
  readonly cors: {
    /** `CORS_ORIGINS`: comma-separated origins, e.g. `https://portal.marseille.fr,https://dashboards.marseille.fr`. @default [] */
    readonly origins: readonly string[];
    /** Any `http://localhost:<port>` (and 127.0.0.1, [::1]) origin too: outside production only. */
    readonly allowLocalhost: boolean;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads, trims and validates the environment; throws one Error naming every bad variable. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (
    name: string,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(
        `${name} must be an integer from ${min} to ${max}, got "${raw}"`,
      );
      return fallback;
    }
    return value;
  };
  const url = (
    name: string,
    protocols: readonly string[],
  ): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(
          `${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`,
        );
      }
    } catch {
      problems.push(`${name} is not a valid URL: "${raw}"`);
    }
    return raw;
  };

  const nodeEnv = str('NODE_ENV') ?? 'development';
  if (
    nodeEnv !== 'development' &&
    nodeEnv !== 'test' &&
    nodeEnv !== 'production'
  ) {
    problems.push(
      `NODE_ENV must be development, test or production, got "${nodeEnv}"`,
    );
  }
  const production = nodeEnv === 'production';
  const logFormat = str('LOG_FORMAT') ?? 'auto';
  if (logFormat !== 'auto' && logFormat !== 'json' && logFormat !== 'pretty')
    problems.push(
      `LOG_FORMAT must be auto, json or pretty, got "${logFormat}"`,
    );
  const dataDir = path.resolve(str('DATA_DIR') ?? '.data');

  const subgraphTimeoutMs = int('SUBGRAPH_TIMEOUT_MS', 5_000, 100, 600_000);
  const ttlSeconds = int('GATEWAY_TOKEN_TTL_S', 60, 5, 3600);
  const subgraphs = {} as Record<SubgraphName, SubgraphConfig>;
  for (const name of SUBGRAPH_NAMES) {
    const prefix = name.toUpperCase();
    subgraphs[name] = {
      port: int(`${prefix}_PORT`, DEFAULT_PORTS[name], 0, 65535),
      mongodbUri: url(`${prefix}_MONGODB_URI`, ['mongodb:', 'mongodb+srv:']),
      url: url(`${prefix}_URL`, ['http:', 'https:']),
      timeoutMs: int(`${prefix}_TIMEOUT_MS`, subgraphTimeoutMs, 100, 600_000),
    };
    // A fetch must end before its gateway token expires, or a slow subgraph
    // would refuse it as expired (issue 9, finding 2).
    if (subgraphs[name].timeoutMs >= ttlSeconds * 1000) {
      problems.push(
        `${prefix}_TIMEOUT_MS (or SUBGRAPH_TIMEOUT_MS) must be below GATEWAY_TOKEN_TTL_S (${ttlSeconds} s)`,
      );
    }
  }

  const jwksUrl = url('AUTH_JWKS_URL', ['https:', 'http:']);
  const publicKeyFile =
    str('AUTH_PUBLIC_KEY_FILE') ??
    (jwksUrl || production
      ? undefined
      : path.join(dataDir, 'keys', 'issuer.public.pem'));
  const issuer =
    str('AUTH_ISSUER') ?? (production ? '' : 'urn:marseille:dev-issuer');
  const audience =
    str('AUTH_AUDIENCE') ?? (production ? '' : 'urn:marseille:city-graph');
  if (production) {
    if (!jwksUrl && !publicKeyFile)
      problems.push(
        'AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE is required in production',
      );
    if (!issuer) problems.push('AUTH_ISSUER is required in production');
    if (!audience) problems.push('AUTH_AUDIENCE is required in production');
  }

  const socialKey =
    str('SOCIAL_AUTHOR_KEY') ??
    (production ? undefined : 'development-only-social-author-key-not-secret');
  if (socialKey !== undefined && socialKey.length < 32)
    problems.push('SOCIAL_AUTHOR_KEY must be at least 32 characters');

  const trustedFile = str('TRUSTED_DOCUMENTS_FILE');
  const trustedMode =
    str('TRUSTED_DOCUMENTS_MODE') ?? (trustedFile ? 'enforce' : 'off');
  if (
    trustedMode !== 'off' &&
    trustedMode !== 'allow' &&
    trustedMode !== 'enforce'
  )
    problems.push(
      `TRUSTED_DOCUMENTS_MODE must be off, allow or enforce, got "${trustedMode}"`,
    );
  else if (trustedMode !== 'off' && !trustedFile)
    problems.push(
      `TRUSTED_DOCUMENTS_MODE=${trustedMode} needs TRUSTED_DOCUMENTS_FILE (the manifest of trusted operations)`,
    );

  const rawRetentionDays = int(
    'READINGS_RAW_RETENTION_DAYS',
    DEFAULT_RAW_RETENTION_DAYS,
    1,
    36_500,
  );
  const rollupRetention = {
    '15m': int('ROLLUP_RETENTION_15M_DAYS', 400, 1, 36_500),
    '1h': int('ROLLUP_RETENTION_1H_DAYS', 3650, 1, 36_500),
    '1d': int('ROLLUP_RETENTION_1D_DAYS', 3650, 1, 36_500),
  };
  // An hour is recomputed from its 15-minute rollups whenever a reading of
  // it is still raw: they must still be there.
  if (rollupRetention['15m'] <= rawRetentionDays)
    problems.push(
      `ROLLUP_RETENTION_15M_DAYS (${rollupRetention['15m']}) must be above READINGS_RAW_RETENTION_DAYS (${rawRetentionDays})`,
    );

  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const cacheMode =
    str('RESPONSE_CACHE') ??
    (nodeEnv === 'test' ? 'off' : redisUrl ? 'redis' : 'memory');
  if (cacheMode !== 'off' && cacheMode !== 'memory' && cacheMode !== 'redis')
    problems.push(
      `RESPONSE_CACHE must be off, memory or redis, got "${cacheMode}"`,
    );
  else if (cacheMode === 'redis' && !redisUrl)
    problems.push(
      'RESPONSE_CACHE=redis needs REDIS_URL (the Redis the replicas share)',
    );
  const config: Config = {
    env: nodeEnv as Config['env'],
    logLevel: str('LOG_LEVEL') ?? 'info',
    logFormat: logFormat as Config['logFormat'],
    tracing: {
      enabled:
        str('OTEL_SDK_DISABLED') !== 'true' &&
        ((str('OTEL_TRACES_EXPORTER') ?? 'none') !== 'none' ||
          str('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined ||
          str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined),
    },
    bindHost: str('BIND_HOST') ?? '127.0.0.1',
    dataDir,
    gateway: {
      port: int('GATEWAY_PORT', DEFAULT_PORTS.gateway, 0, 65535),
      supergraphPath: path.resolve(
        str('SUPERGRAPH_PATH') ?? 'supergraph.graphql',
      ),
      supergraphUrl: url('SUPERGRAPH_URL', ['http:', 'https:']),
      supergraphPollIntervalMs: int(
        'SUPERGRAPH_POLL_INTERVAL_MS',
        2000,
        50,
        3_600_000,
      ),
      subgraphTimeoutMs,
      breakerFailures: int('SUBGRAPH_BREAKER_FAILURES', 3, 1, 1000),
      breakerOpenMs: int('SUBGRAPH_BREAKER_OPEN_MS', 5_000, 100, 600_000),
      rateLimit: {
        requests: int('RATE_LIMIT_REQUESTS', 1200, 0, 10_000_000),
        windowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, 100, 3_600_000),
      },
      trustedDocuments: {
        file: trustedFile === undefined ? undefined : path.resolve(trustedFile),
        mode: trustedMode as Config['gateway']['trustedDocuments']['mode'],
      },
      responseCache: {
        mode: cacheMode as Config['gateway']['responseCache']['mode'],
        maxEntries: int('RESPONSE_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
      },
    },
    redis: {
      url: redisUrl,
      keyPrefix: str('REDIS_KEY_PREFIX') ?? 'city-graph:',
    },
    events: {
      redisUrl:
        redisUrl ??
        (nodeEnv === 'development' ? 'redis://127.0.0.1:6379' : undefined),
      streamMaxLength: int(
        'EVENTS_STREAM_MAX_LENGTH',
        100_000,
        100,
        10_000_000,
      ),
      outboxPollMs: int('EVENTS_OUTBOX_POLL_MS', 1000, 10, 600_000),
    },
    live: {
      connectionsPerCaller: int(
        'LIVE_CONNECTIONS_PER_CALLER',
        10,
        1,
        1_000_000,
      ),
      subscriptionsPerConnection: int(
        'LIVE_SUBSCRIPTIONS_PER_CONNECTION',
        20,
        1,
        10_000,
      ),
    },
    mqtt: {
      url:
        url('MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:']) ??
        (nodeEnv === 'development' ? 'mqtt://127.0.0.1:1883' : undefined),
      topicPrefix: mqttTopicPrefix(str('MQTT_TOPIC_PREFIX'), problems),
      clientId:
        str('MQTT_CLIENT_ID') ??
        `city-graph-bridge-${str('HOSTNAME') ?? 'local'}`,
      shareGroup: str('MQTT_SHARE_GROUP') ?? 'city-graph-ingest',
      connections: int('MQTT_CONNECTIONS', 4, 1, 64),
      username: str('MQTT_USERNAME'),
      password: str('MQTT_PASSWORD'),
      deviceKeysFile: path.resolve(
        str('MQTT_DEVICE_KEYS_FILE') ??
          path.join(dataDir, 'keys', 'devices.jwks.json'),
      ),
    },
    readings: { rawRetentionDays },
    retention: {
      ingestStatsDays: int(
        'INGEST_STATS_RETENTION_DAYS',
        DEFAULT_INGEST_STATS_RETENTION_DAYS,
        1,
        36_500,
      ),
      socialPostsDays: int(
        'SOCIAL_POSTS_RETENTION_DAYS',
        DEFAULT_SOCIAL_POSTS_RETENTION_DAYS,
        1,
        36_500,
      ),
    },
    rollups: {
      intervalMs: int('ROLLUP_INTERVAL_MS', 2000, 50, 3_600_000),
      retentionDays: rollupRetention,
    },
    subgraphs,
    auth: {
      jwksUrl,
      publicKeyFile,
      issuer,
      audience,
      clockToleranceSeconds: int('AUTH_CLOCK_TOLERANCE_S', 5, 0, 300),
    },
    gatewayToken: {
      privateKeyFile:
        str('GATEWAY_TOKEN_PRIVATE_KEY_FILE') ??
        path.join(dataDir, 'keys', 'gateway.private.pem'),
      publicKeyFile:
        str('GATEWAY_TOKEN_PUBLIC_KEY_FILE') ??
        path.join(dataDir, 'keys', 'gateway.public.pem'),
      ttlSeconds,
    },
    audit: {
      chainId: str('AUDIT_CHAIN_ID') ?? `gateway-${str('HOSTNAME') ?? 'local'}`,
      checkpointIntervalMs: int(
        'AUDIT_CHECKPOINT_INTERVAL_MS',
        300_000,
        0,
        86_400_000,
      ),
    },
    social: { authorKey: socialKey },
    cors: {
      origins: corsOrigins(str('CORS_ORIGINS'), problems),
      allowLocalhost: !production,
    },
  };

  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  return Object.freeze(config);
}

/** Checks `MQTT_TOPIC_PREFIX`: no wildcard, ends with `/`. */
function mqttTopicPrefix(raw: string | undefined, problems: string[]): string {
  const prefix = raw ?? 'marseille/';
  if (/[+#]/.test(prefix) || !prefix.endsWith('/'))
    problems.push(
      `MQTT_TOPIC_PREFIX must end with "/" and hold no MQTT wildcard (+, #), got "${prefix}"`,
    );
  return prefix;
}

/** Parses `CORS_ORIGINS`: each entry must be an origin (scheme, host, optional port; no path). */
function corsOrigins(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  const origins: string[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    let origin: string | undefined;
    try {
      const url = new URL(entry);
      if (url.protocol === 'http:' || url.protocol === 'https:')
        origin = url.origin;
    } catch {
      // reported below
    }
    if (origin === undefined || origin !== entry.replace(/\/$/, '')) {
      problems.push(
        `CORS_ORIGINS entries must be origins such as https://portal.marseille.fr (scheme, host, optional port, no path), got "${entry}"`,
      );
      continue;
    }
    origins.push(origin);
  }
  return origins;
}

/**
 * Turns off the anonymous report @apollo/gateway >= 2.14 sends to Apollo at
 * construction. The gateway reads only `APOLLO_TELEMETRY_DISABLED` from the
 * environment (dist/index.js), so this module, the one allowed to touch
 * `process.env`, sets it. Called before any ApolloGateway is built.
 */
export function disableVendorTelemetry(
  env: Record<string, string | undefined> = process.env,
): void {
  env['APOLLO_TELEMETRY_DISABLED'] = 'true';
}
