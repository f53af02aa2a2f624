/**
 * Database connections of the subgraphs: one mongoose connection per
 * subgraph, to its own database. Production passes a connection string;
 * development without one gets an embedded localdb under `.data/<name>`.
 */
import { boundedLabel, gauge, histogram } from './metrics.js';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config, SubgraphName } from './config.js';
import type { Logger } from './logger.js';

/** Options of {@link connectDatabase}. */
export interface ConnectDatabaseOptions {
  /** A MongoDB connection string. */
  uri: string;
  /** Database name; a subgraph's own name by convention. */
  dbName: string;
  /**
   * Emit command monitoring events: the database latency metric, and
   * tests that count the queries a subgraph sends.
   * @default true
   */
  monitorCommands?: boolean;
  /** @default 5000 */
  serverSelectionTimeoutMS?: number;
}

/** Opens a mongoose connection and waits until the server answers. */
export async function connectDatabase(
  options: ConnectDatabaseOptions,
): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    // Command events feed the database latency metric (observeCommands).
    monitorCommands: options.monitorCommands ?? true,
    // Indexes are declared next to each model and built at start; both
    // localdb and MongoDB treat an existing identical index as a no-op.
    autoIndex: true,
  });
  await connection.asPromise();
  observeCommands(connection, options.dbName);
  return connection;
}

const commandDuration = histogram(
  'mongodb_command_duration_seconds',
  'Time of one MongoDB command as the driver saw it, by database, command and outcome.',
  ['db', 'command', 'outcome'],
);
const checkedOut = gauge(
  'mongodb_pool_checked_out_connections',
  'Connections of the driver pool in use, by database.',
  ['db'],
);

/** Database metrics from the driver's command and pool events. */
function observeCommands(connection: Connection, db: string): void {
  const client = connection.getClient();
  const command = boundedLabel(60);
  const done =
    (outcome: 'ok' | 'failed') =>
    (event: { commandName: string; duration: number }) =>
      commandDuration.observe(
        { db, command: command(event.commandName), outcome },
        event.duration / 1000,
      );
  client.on('commandSucceeded', done('ok'));
  client.on('commandFailed', done('failed'));
  client.on('connectionCheckedOut', () => checkedOut.inc({ db }));
  client.on('connectionCheckedIn', () => checkedOut.dec({ db }));
}

/** Readiness: whether the database answers a ping. */
export async function pingDatabase(connection: Connection): Promise<boolean> {
  try {
    const db = connection.db;
    if (!db || connection.readyState !== 1) return false;
    await db.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/** A database to connect to, and what to stop when the service stops. */
export interface ResolvedDatabase {
  uri: string;
  /** Stops the embedded server, when one was started. */
  stop(): Promise<void>;
  embedded: boolean;
}

/**
 * The subgraph's connection string from `<NAME>_MONGODB_URI`; outside
 * production, when it is unset, an embedded localdb keeping its data in
 * `<DATA_DIR>/<name>`, in a worker thread of its own (localdb's
 * `startLocalDbWorker`: `npm start` runs five, which must not share one event
 * loop). Production without a URI is a configuration error.
 */
export async function resolveDatabase(
  config: Config,
  name: SubgraphName,
  logger: Logger,
): Promise<ResolvedDatabase> {
  const uri = config.subgraphs[name].mongodbUri;
  if (uri) return { uri, stop: async () => {}, embedded: false };
  if (config.env === 'production') {
    throw new Error(
      `${name.toUpperCase()}_MONGODB_URI is required in production (localdb is for development only).`,
    );
  }
  // On its own thread (docs/localdb.md): the process embedding it, and any
  // other embedded localdb, keep their own event loops.
  const { startLocalDbWorker } = await import('../../localdb/src/index.js');
  const db = await startLocalDbWorker({
    port: 0,
    dataDir: path.join(config.dataDir, name),
    logger,
  });
  logger.info(
    { uri: db.uri, dataDir: path.join(config.dataDir, name) },
    'embedded localdb started',
  );
  return { uri: db.uri, stop: () => db.stop(), embedded: true };
}
