/**
 * Test support (not for production code): a fresh in-memory localdb and a
 * mongoose connection to it, with the commands the subgraph sends counted.
 */
import type { Connection } from 'mongoose';
import { startLocalDb } from '../../../localdb/src/index.js';
import { connectDatabase } from '../../runtime/mongo.js';

/** A running test database and a connection to it. */
export interface TestDatabase {
  uri: string;
  connection: Connection;
  /** Commands sent since the last {@link TestDatabase.resetCommands}, e.g. `find traffic_sensors`. */
  commands(): string[];
  resetCommands(): void;
  stop(): Promise<void>;
}

// Commands the driver sends on its own (handshake, monitoring, sessions), and
// cursor continuations, which belong to the query that opened the cursor.
const HOUSEKEEPING = new Set([
  'getMore',
  'killCursors',
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'buildInfo',
  'getParameter',
]);

/** Options of {@link startTestDatabase}. */
export interface TestDatabaseOptions {
  /**
   * How often localdb's TTL monitor runs (a retention test sets it short).
   * @default 60000
   */
  ttlIntervalMs?: number;
}

/** Starts an in-memory localdb and connects to database `dbName`. */
export async function startTestDatabase(
  dbName: string,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const db = await startLocalDb({ port: 0, ...options });
  const connection = await connectDatabase({
    uri: db.uri,
    dbName,
    monitorCommands: true,
  });
  let seen: string[] = [];
  connection.getClient().on('commandStarted', (event) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const target = (event.command as Record<string, unknown>)[
      event.commandName
    ];
    seen.push(
      typeof target === 'string'
        ? `${event.commandName} ${target}`
        : event.commandName,
    );
  });
  return {
    uri: db.uri,
    connection,
    commands: () => [...seen],
    resetCommands: () => {
      seen = [];
    },
    async stop() {
      await connection.close();
      await db.stop();
    },
  };
}
