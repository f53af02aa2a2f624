import { describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../ingest/coalesceWrites.js';
import {
  createIngestStats,
  mergeIncrements,
  type IngestStatsCollection,
} from '../../ingest/ingestStats.js';
import { createStateWriter } from '../../ingest/storeObservations.js';

/** A write whose answers the test releases one by one. */
function gatedWrites<T>() {
  const calls: (readonly T[])[] = [];
  const gates: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const write = (items: readonly T[]) => {
    calls.push(items);
    return new Promise<void>((resolve, reject) =>
      gates.push({ resolve, reject }),
    );
  };
  return { calls, gates, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  it('writes at once when nothing is in flight', async () => {
    const { calls, gates, write } = gatedWrites<number>();
    const add = coalesceWrites({ write });
    const done = add([1, 2]);
    expect(calls).toEqual([[1, 2]]);
    gates[0]?.resolve();
    await expect(done).resolves.toBeUndefined();
  });

  it('queues the calls made during a write into one next write', async () => {
    const { calls, gates, write } = gatedWrites<number>();
    const add = coalesceWrites({ write });
    let secondDone = false;
    const first = add([1]);
    const second = add([2]).then(() => (secondDone = true));
    const third = add([3, 4]);
    expect(calls).toEqual([[1]]);
    gates[0]?.resolve();
    await first;
    await tick();
    expect(calls).toEqual([[1], [2, 3, 4]]);
    expect(secondDone).toBe(false);
    gates[1]?.resolve();
    await Promise.all([second, third]);
    expect(secondDone).toBe(true);
  });

  it('fails every caller of a failed write, and only those', async () => {
    const { calls, gates, write } = gatedWrites<number>();
    const add = coalesceWrites({ write });
    const first = add([1]);
    const second = add([2]);
    const third = add([3]);
    gates[0]?.resolve();
    await first;
    await tick();
    gates[1]?.reject(new Error('disk'));
    await expect(second).rejects.toThrow('disk');
    await expect(third).rejects.toThrow('disk');
    const fourth = add([4]);
    expect(calls).toEqual([[1], [2, 3], [4]]);
    gates[2]?.resolve();
    await expect(fourth).resolves.toBeUndefined();
  });

  it('fails the callers of a write that throws synchronously', async () => {
    const add = coalesceWrites<number>({
      write: () => {
        throw new Error('sync');
      },
    });
    await expect(add([1])).rejects.toThrow('sync');
    await expect(add([2])).rejects.toThrow('sync');
  });

  it('writes nothing for no items', async () => {
    const { calls, write } = gatedWrites<number>();
    await coalesceWrites({ write })([]);
    expect(calls).toEqual([]);
  });
});

describe('mergeIncrements', () => {
  it('sums the increments of one bucket and keeps the others apart', () => {
    const source = { kind: 'partner', id: 'p' } as const;
    const hour = new Date('2026-12-02T03:00:00Z');
    const a = { id: 'a', source, type: 'T', hour, inc: { received: 2 } };
    const merged = mergeIncrements([
      a,
      { id: 'b', source, type: 'T', hour, inc: { received: 1 } },
      { id: 'a', source, type: 'T', hour, inc: { received: 3, created: 1 } },
    ]);
    expect(merged).toEqual([
      { id: 'a', source, type: 'T', hour, inc: { received: 5, created: 1 } },
      { id: 'b', source, type: 'T', hour, inc: { received: 1 } },
    ]);
    // The caller's increments are not changed.
    expect(a.inc).toEqual({ received: 2 });
  });
});

describe('createIngestStats', () => {
  it('records concurrent batches in one bulk write', async () => {
    const { calls, gates, write } = gatedWrites<object>();
    const collection = {
      bulkWrite: (ops: readonly object[]) => write(ops),
    } as unknown as IngestStatsCollection;
    const stats = createIngestStats(collection);
    const source = { kind: 'partner', id: 'p' } as const;
    const hour = new Date('2026-12-02T03:00:00Z');
    const bucket = (n: number) => ({
      id: 'a',
      source,
      type: 'T',
      hour,
      inc: { received: n },
    });
    const first = stats.record([bucket(1)]);
    const second = stats.record([bucket(2)]);
    const third = stats.record([bucket(3)]);
    gates[0]?.resolve();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([
      {
        updateOne: {
          filter: { _id: 'a' },
          update: {
            $setOnInsert: { source, type: 'T', hour },
            $inc: { received: 5 },
          },
          upsert: true,
        },
      },
    ]);
    gates[1]?.resolve();
    await Promise.all([second, third]);
  });
});

describe('createStateWriter', () => {
  it('writes one update per device, its newest reading, for concurrent batches', async () => {
    const { calls, gates, write } = gatedWrites<object>();
    const writer = createStateWriter<{ n: number }>({
      bulkWrite: async (ops) => {
        await write(ops);
        return {};
      },
    });
    const at = (m: number) => new Date(Date.UTC(2026, 11, 2, 3, m));
    const first = writer([
      { deviceId: 's1', observedAt: at(0), doc: { n: 0 } },
    ]);
    const second = writer([
      { deviceId: 's1', observedAt: at(2), doc: { n: 2 } },
      { deviceId: 's2', observedAt: at(1), doc: { n: 1 } },
    ]);
    const third = writer([
      { deviceId: 's1', observedAt: at(1), doc: { n: 1 } },
    ]);
    gates[0]?.resolve();
    await first;
    await tick();
    expect(calls[1]).toEqual([
      {
        updateOne: {
          filter: {
            _id: 's1',
            $or: [{ latest: null }, { 'latest.observedAt': { $lt: at(2) } }],
          },
          update: { $set: { latest: { n: 2 } } },
        },
      },
      {
        updateOne: {
          filter: {
            _id: 's2',
            $or: [{ latest: null }, { 'latest.observedAt': { $lt: at(1) } }],
          },
          update: { $set: { latest: { n: 1 } } },
        },
      },
    ]);
    gates[1]?.resolve();
    await Promise.all([second, third]);
  });
});
