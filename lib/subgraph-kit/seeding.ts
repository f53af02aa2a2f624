/**
 * Helpers for the departments' deterministic seed data: a seeded random
 * generator (the same data on every machine and every run) and an idempotent
 * writer (re-running a seed inserts only what is missing, never duplicates).
 */
import { storeReadings } from '../ingest/storeObservations.js';
import { cityGeography } from './cityGeography.js';
import { DISTRICTS, type DistrictRecord } from './districts.js';
import {
  prepareReadingStorage,
  type PrepareReadingStorageOptions,
} from './readingSeries.js';

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

  /**
   * A point near a district's representative point (about ±1 km) that the
   * city's geography (cityGeography.ts: the nearest representative point)
   * places in that district, so ingestion never flags a seeded location as
   * in another district.
   */
  pointIn(district: DistrictRecord): { lat: number; lon: number } {
    for (let attempt = 0; attempt < 100; attempt++) {
      const point = {
        lat:
          Math.round(
            (district.center.lat + (this.next() - 0.5) * 0.018) * 1e6,
          ) / 1e6,
        lon:
          Math.round(
            (district.center.lon + (this.next() - 0.5) * 0.024) * 1e6,
          ) / 1e6,
      };
      if (cityGeography.districtAt(point) === district.code) return point;
    }
    // Unreachable with the reference points (each cell holds its point).
    return { lat: district.center.lat, lon: district.center.lon };
  }
}

/** Every district, for generators that place things in each. */
export const SEED_DISTRICTS = DISTRICTS;

/** The minimal model surface the writer needs (a mongoose Model satisfies it). */
export interface SeedTarget {
  find(filter: object): {
    select(fields: string): { lean(): { exec(): Promise<unknown[]> } };
  };
  insertMany(docs: object[], options: { ordered: boolean }): Promise<unknown>;
}

/**
 * Inserts the documents whose `_id` is not there yet, in batches, through
 * the model (so its validation runs): re-running a seed writes nothing twice.
 * A document already present is left as it is, including changes made
 * through the graph since. Returns the number of documents of the seed.
 */
export async function upsertAll(
  model: SeedTarget,
  docs: readonly { _id: string }[],
  batchSize = 5000,
): Promise<number> {
  // One scan for the ids already there: cheaper than an `$in` per batch.
  const found = await model.find({}).select('_id').lean().exec();
  const existing = new Set(found.map((d) => (d as { _id: string })._id));
  const missing = docs.filter((d) => !existing.has(d._id));
  for (let i = 0; i < missing.length; i += batchSize) {
    await model.insertMany(missing.slice(i, i + batchSize), { ordered: false });
  }
  return docs.length;
}

/** Options of {@link seedReadings}. */
export type SeedReadingsOptions = PrepareReadingStorageOptions;

/**
 * Writes seeded readings the way ingestion does (lib/ingest/storeObservations.ts
 * `storeReadings`): after the collection checks, through the `reading_keys`
 * ledger, so a seeded reading sent again later is a duplicate and re-running
 * the seed writes nothing twice. Returns the number of readings of the seed.
 */
export async function seedReadings(
  options: SeedReadingsOptions,
  docs: readonly { _id: string }[],
  batchSize = 5000,
): Promise<number> {
  const ready = () => prepareReadingStorage(options);
  for (let i = 0; i < docs.length; i += batchSize)
    await storeReadings(
      {
        readings: options.readings.collection,
        keys: options.keys.collection,
        ready,
      },
      docs.slice(i, i + batchSize),
    );
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

/** Local hour in Marseille (UTC+1 in the November seed window), minutes as a fraction. */
export function localHour(at: Date): number {
  return (at.getUTCHours() + 1 + at.getUTCMinutes() / 60) % 24;
}

/** A bell curve of `hour` around `centre` (1 at the centre), for daily profiles. */
export function bell(hour: number, centre: number, width: number): number {
  return Math.exp(-((hour - centre) ** 2) / (2 * width ** 2));
}

/**
 * Traffic demand through the day, relative to a weekday's peak (1): on
 * weekdays the commuter peaks at 8:00 and 18:00 over a midday plateau; on
 * Saturday and Sunday no commute, a broad late-morning to afternoon hump.
 * Local time in Marseille (the seed window is in November, UTC+1).
 */
export function trafficDemand(at: Date): number {
  const h = localHour(at);
  const local = new Date(at.getTime() + 3_600_000);
  const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
  if (weekend) return 0.08 + 0.5 * bell(h, 14, 3.2);
  return (
    0.08 +
    0.92 *
      Math.max(bell(h, 8.25, 0.9), bell(h, 18, 1.1), 0.55 * bell(h, 13, 2.6))
  );
}

/**
 * Rush-hour shape of road traffic for what traffic drives (environment's NO2,
 * particles and noise): {@link trafficDemand}, 0.08 at night, 1 at a weekday
 * peak, about 0.6 at the weekend's busiest.
 */
export function rushFactor(at: Date): number {
  return trafficDemand(at);
}
