/**
 * Database metrics of lib/runtime/mongo.ts: every command the driver sends
 * is timed by database, command and outcome, and the pool's connections in
 * use are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../runtime/metrics.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

async function commands(db: string, command: string, outcome: string) {
  const metric = metricsRegistry.getSingleMetric(
    'mongodb_command_duration_seconds',
  );
  return ((await metric?.get())?.values ?? [])
    .filter(
      (value) =>
        (value as { metricName?: string }).metricName ===
          'mongodb_command_duration_seconds_count' &&
        value.labels['db'] === db &&
        value.labels['command'] === command &&
        value.labels['outcome'] === outcome,
    )
    .reduce((sum, value) => sum + value.value, 0);
}

describe('database metrics', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await startTestDatabase('metrics_db');
  });
  afterAll(() => database.stop());

  it('time each command by database, command and outcome', async () => {
    const collection = database.connection.collection('things');
    const before = await commands('metrics_db', 'find', 'ok');
    await collection.insertOne({ _id: 'a' } as never);
    await collection.find({}).toArray();
    await collection.find({ x: 1 }).toArray();
    expect(await commands('metrics_db', 'find', 'ok')).toBe(before + 2);
    expect(await commands('metrics_db', 'insert', 'ok')).toBeGreaterThanOrEqual(
      1,
    );
    // A command the server refuses (a duplicate key is a write error inside
    // a successful reply, as in MongoDB).
    await database.connection.db
      ?.command({ noSuchCommand: 1 })
      .catch(() => undefined);
    expect(await commands('metrics_db', 'noSuchCommand', 'failed')).toBe(1);
  });

  it('count pool connections in use, back to none when idle', async () => {
    const metric = metricsRegistry.getSingleMetric(
      'mongodb_pool_checked_out_connections',
    );
    const inUse = async () =>
      ((await metric?.get())?.values ?? []).find(
        (value) => value.labels['db'] === 'metrics_db',
      )?.value;
    await database.connection.collection('things').findOne({});
    expect(await inUse()).toBe(0);
  });
});
