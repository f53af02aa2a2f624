import { silentLogger, type LocalDbLogger } from './LocalDbLogger.js';
import { LocalDbServer } from './server/LocalDbServer.js';
import { Store } from './storage/Store.js';

export type { LocalDbLogger } from './LocalDbLogger.js';
export { silentLogger } from './LocalDbLogger.js';
export {
  startLocalDbWorker,
  type LocalDbWorkerOptions,
} from './startLocalDbWorker.js';

/** Options for startLocalDb. */
export interface LocalDbOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Directory for the snapshot and journal; omitted = in memory only. */
  dataDir?: string;
  /**
   * fsync the journal before acknowledging a write; writes of one event-loop turn share
   * one fsync (group commit). Without it, a write survives a crash of the process, not
   * a power loss. @default true
   */
  fsync?: boolean;
  /** Where localdb logs (pino-compatible). @default a logger that drops everything */
  logger?: LocalDbLogger;
  /**
   * Compact the journal into a snapshot once it exceeds this many bytes and the last
   * snapshot's size. @default 67108864 (64 MiB)
   */
  compactBytes?: number;
  /** How often the TTL monitor removes expired documents, as MongoDB's ttlMonitorSleepSecs. @default 60000 */
  ttlIntervalMs?: number;
}

/** A running localdb. */
export interface LocalDb {
  /** Connection string, `mongodb://<host>:<port>`. */
  uri: string;
  /** The bound port. */
  port: number;
  /** Closes every client socket, then flushes and closes the journal. */
  stop(): Promise<void>;
}

/**
 * Starts an embedded MongoDB-wire-compatible server for development and tests
 * (never production). The real `mongodb` driver and mongoose connect to `uri`
 * unchanged. With `dataDir`, acknowledged writes survive a restart.
 */
export async function startLocalDb(
  options: LocalDbOptions = {},
): Promise<LocalDb> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const store = Store.open({
    dataDir: options.dataDir,
    fsync: options.fsync,
    compactBytes: options.compactBytes,
    logger,
  });
  const server = new LocalDbServer(store, logger);
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (err) {
    store.close();
    throw err;
  }
  const ttl = setInterval(() => {
    try {
      store.expire();
    } catch (err) {
      logger.error({ err }, 'localdb: TTL pass failed');
    }
  }, options.ttlIntervalMs ?? 60_000);
  ttl.unref();
  const uriHost = host.includes(':') ? `[${host}]` : host;
  const uri = `mongodb://${uriHost}:${port}`;
  logger.info({ uri, dataDir: options.dataDir ?? null }, 'localdb listening');
  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    stop() {
      stopping ??= (async () => {
        clearInterval(ttl);
        await server.close();
        store.close();
      })();
      return stopping;
    },
  };
}
