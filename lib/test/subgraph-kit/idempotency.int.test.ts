import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createIdempotencyStore,
  IDEMPOTENCY_COLLECTION,
  IDEMPOTENCY_LEASE_MS,
  runIdempotent,
  type IdempotencyDoc,
  type IdempotencyStore,
} from '../../subgraph-kit/idempotency.js';
import { createSilentLogger } from '../../runtime/logger.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

describe('runIdempotent over a localdb collection', () => {
  let db: TestDatabase;
  let store: IdempotencyStore;
  const collection = () =>
    db.connection.collection<IdempotencyDoc>(IDEMPOTENCY_COLLECTION);
  const logger = createSilentLogger();
  const call = (key: string | null, input: unknown, now?: Date) => ({
    store,
    operation: 'doThing',
    subject: 'agent-1',
    key,
    input,
    logger,
    ...(now ? { now } : {}),
  });

  beforeAll(async () => {
    db = await startTestDatabase('idempotency-test');
    store = createIdempotencyStore(collection());
  });
  afterAll(async () => {
    await db.stop();
  });
  beforeEach(async () => {
    await collection().deleteMany({});
  });

  it('runs once per key and answers the stored result, dates included', async () => {
    let runs = 0;
    const execute = async () => {
      runs += 1;
      return { id: 'x', at: new Date('2026-12-01T10:00:00Z'), n: runs };
    };
    const first = await runIdempotent(call('k', { a: 1, b: [1, 2] }), execute);
    // Key order does not change the input.
    const again = await runIdempotent(call('k', { b: [1, 2], a: 1 }), execute);
    expect(runs).toBe(1);
    expect(again).toEqual(first);
    expect(again.at).toBeInstanceOf(Date);
  });

  it('runs every call without a key', async () => {
    let runs = 0;
    await runIdempotent(call(null, {}), async () => ++runs);
    await runIdempotent(call(null, {}), async () => ++runs);
    expect(runs).toBe(2);
    expect(await collection().countDocuments()).toBe(0);
  });

  it('refuses the key with another input (BAD_USER_INPUT, IDEMPOTENCY_KEY_REUSED)', async () => {
    await runIdempotent(call('k', { a: 1 }), async () => 'first');
    await expect(
      runIdempotent(call('k', { a: 2 }), async () => 'second'),
    ).rejects.toMatchObject({
      extensions: {
        code: 'BAD_USER_INPUT',
        reason: 'IDEMPOTENCY_KEY_REUSED',
        argumentName: 'idempotencyKey',
      },
    });
  });

  it('refuses a retry while the first call runs (CONFLICT), and takes over a claim older than the lease', async () => {
    let release!: () => void;
    const running = runIdempotent(
      call('k', {}),
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('first');
        }),
    );
    await new Promise((r) => setTimeout(r, 50));
    await expect(
      runIdempotent(call('k', {}), async () => 'second'),
    ).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_IN_PROGRESS' },
    });
    // A caller after the lease (the first process died) runs it again.
    const later = new Date(Date.now() + IDEMPOTENCY_LEASE_MS + 1000);
    expect(
      await runIdempotent(call('k', {}, later), async () => 'taken over'),
    ).toBe('taken over');
    release();
    await running;
  });

  it('forgets a call that failed, so its retry runs', async () => {
    await expect(
      runIdempotent(call('k', {}), async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await runIdempotent(call('k', {}), async () => 'ok')).toBe('ok');
  });

  it('refuses a malformed key before claiming anything', async () => {
    await expect(
      runIdempotent(call('has space', {}), async () => 'x'),
    ).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'idempotencyKey' },
    });
    await expect(
      runIdempotent(call('x'.repeat(129), {}), async () => 'x'),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await collection().countDocuments()).toBe(0);
  });
});
