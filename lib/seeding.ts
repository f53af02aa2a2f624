/**
 * Helpers for the departments' deterministic seed data: a seeded random
 * generator (the same data on every machine and every run) and an idempotent
 * writer (re-running a seed replaces documents by id, never duplicates them).
 */
import { DISTRICTS, type DistrictRecord } from './districts.js';

/** The seed's fixed observation window: 4 days ending 2026-11-23T00:00Z (fixed so runs are identical). */
export const SEED_WINDOW = {
  from: new Date('2026-11-19T00:00:00Z'),
  to: new Date('2026-11-23T00:00:00Z'),
} as const;

/** A small deterministic PRNG (mulberry32); not for cryptography. */
export class SeededRandom {
  private state: number;

  constructor(seed: number | string) {
    this.state =
      typeof seed === 'number'
        ? seed >>> 0
        : [...seed].reduce(
            (h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0,
            2166136261,
          );
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max), rounded to `decimals`. */
  float(min: number, max: number, decimals = 2): number {
    const f = 10 ** decimals;
    return Math.round((min + this.next() * (max - min)) * f) / f;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A point near a district's representative point (about ±1 km). */
  pointIn(district: DistrictRecord): { lat: number; lon: number } {
    return {
      lat:
        Math.round((district.center.lat + (this.next() - 0.5) * 0.018) * 1e6) /
        1e6,
      lon:
        Math.round((district.center.lon + (this.next() - 0.5) * 0.024) * 1e6) /
        1e6,
    };
  }
}

/** Every district, for generators that place things in each. */
export const SEED_DISTRICTS = DISTRICTS;

/** The minimal model surface the writer needs (a mongoose Model satisfies it). */
export interface BulkWritable {
  bulkWrite(ops: object[], options: { ordered: boolean }): Promise<unknown>;
  readonly modelName: string;
}

/**
 * Writes documents by `_id` with replace-or-insert, in batches: re-running a
 * seed leaves one copy of each document. Returns the number written.
 */
export async function upsertAll(
  model: BulkWritable,
  docs: readonly { _id: string }[],
  batchSize = 2000,
): Promise<number> {
  for (let i = 0; i < docs.length; i += batchSize) {
    const ops = docs.slice(i, i + batchSize).map((doc) => ({
      replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true },
    }));
    await model.bulkWrite(ops, { ordered: false });
  }
  return docs.length;
}

/** A time series of instants from `from` (exclusive) to `to` (inclusive) every `stepMinutes`. */
export function timeSteps(stepMinutes: number, window = SEED_WINDOW): Date[] {
  const steps: Date[] = [];
  const step = stepMinutes * 60_000;
  for (
    let t = window.from.getTime() + step;
    t <= window.to.getTime();
    t += step
  )
    steps.push(new Date(t));
  return steps;
}
