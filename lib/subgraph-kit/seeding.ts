/**
 * Helpers for the departments' deterministic seed data: a seeded random
 * generator (the same data on every machine and every run) and an idempotent
 * writer (re-running a seed inserts only what is missing, never duplicates).
 */
import {
  createIngestStats,
  tallyBatch,
  STATS_BUCKET_MS,
  type IngestStatsCollection,
  type RecordFact,
  type StatsIncrement,
} from '../ingest/ingestStats.js';
import type { NgsiAttribute, NgsiEntity } from '../ingest/ngsiEntity.js';
import type { ObservationSpec } from '../ingest/observationSpec.js';
import type { RecordQuality, RecordSource } from '../ingest/quality.js';
import { storeReadings } from '../ingest/storeObservations.js';
import {
  validateObservation,
  type DeviceInfo,
  type LatLon,
} from '../ingest/validateObservation.js';
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

/** A seeded reading, in the stored shape the seeds generate (quantities by graph field). */
export interface SeedObservation {
  readonly _id: string;
  readonly device: { readonly id: string };
  readonly observedAt: Date;
  /** When the seed's story has it received: its observation time (the seed is a recorded history). */
  readonly receivedAt: Date;
  /** Set by {@link assessSeedObservations} to the pipeline's verdict. */
  quality: RecordQuality;
}

/** What {@link assessSeedObservations} checks a type's seeded readings against. */
export interface AssessSeedObservationsOptions {
  /** The type's spec, the one its ingest handler validates with (e.g. `trafficFlowObservedSpec`). */
  readonly spec: ObservationSpec;
  /** The seed's devices of the type (the registry the readings must name). */
  readonly devices: readonly {
    readonly _id: string;
    readonly district: string;
    readonly location: LatLon;
  }[];
  /** The seed's source, `seedSource(<department>)`. */
  readonly source: RecordSource;
}

/** What a type's seeded readings count in the data-quality view. */
export interface SeedAssessment {
  /** The buckets of `ingest_stats` the readings make (lib/ingest/ingestStats.ts `tallyBatch`). */
  readonly increments: readonly StatsIncrement[];
}

const SEED_CLOCK_SKEW_MS = 120_000;

/**
 * The NGSI entity a partner would send for a seeded reading: its device as
 * `refDevice` (or the entity itself for a status report), its time as the
 * interval of one reporting period ending at `observedAt`, each quantity in
 * the spec's stored unit (its `unitCode` given, so no unit is assumed); a
 * per-hour count is sent as the count over that interval.
 */
function seedEntity(
  spec: ObservationSpec,
  doc: SeedObservation,
  timeTexts: Map<number, string>,
): NgsiEntity {
  const attributes = new Map<string, NgsiAttribute>();
  const deviceAttribute = spec.deviceAttributes[0] ?? '@id';
  if (deviceAttribute !== '@id')
    attributes.set(deviceAttribute, {
      kind: 'Relationship',
      value: `urn:ngsi-ld:Device:${doc.device.id}`,
    });
  const intervalMs = spec.reportingIntervalMs ?? STATS_BUCKET_MS;
  // Devices report at the same instants: one interval text per instant.
  const to = doc.observedAt.getTime();
  let time = timeTexts.get(to);
  if (time === undefined) {
    time = `${new Date(to - intervalMs).toISOString()}/${doc.observedAt.toISOString()}`;
    timeTexts.set(to, time);
  }
  attributes.set(spec.timeAttributes[0] ?? 'dateObserved', {
    kind: 'Property',
    value: time,
  });
  const fields = doc as unknown as Readonly<Record<string, unknown>>;
  for (const quantity of spec.quantities) {
    const value = fields[quantity.field];
    const attribute = quantity.attributes[0];
    // Absent or null: the reading lacks it, and the pipeline says so (INCOMPLETE).
    if (typeof value !== 'number' || attribute === undefined) continue;
    attributes.set(attribute, {
      kind: 'Property',
      // Exact both ways for the seeds' intervals (a power-of-two fraction of an hour times whole counts).
      value: quantity.perHour ? (value * intervalMs) / 3_600_000 : value,
      unitCode: quantity.defaultUnit,
    });
  }
  for (const text of spec.texts ?? []) {
    const value = fields[text.field];
    const attribute = text.attributes[0];
    if (typeof value === 'string' && attribute !== undefined)
      attributes.set(attribute, { kind: 'Property', value });
  }
  return {
    id:
      deviceAttribute === '@id'
        ? `urn:ngsi-ld:${spec.type}:${doc.device.id}`
        : `urn:ngsi-ld:${spec.type}:${doc._id}`,
    type: spec.type,
    format: 'ngsi-ld',
    attributes,
  };
}

/**
 * Puts a type's seeded readings through the checks every ingested
 * observation goes through (lib/ingest/validateObservation.ts, with the
 * type's own spec, the seed's devices and the city's geography), as
 * received at their `receivedAt` from the seed's source: each reading's
 * `quality` becomes the pipeline's verdict (flags and score, e.g.
 * `INCOMPLETE` for an air-quality reading without SO2), and the readings are
 * tallied into the data-quality view's hourly buckets as one batch per hour
 * of reception would be. Call it before anything of the seed is written
 * (the devices' current state holds the newest reading, with its quality).
 *
 * In process and without the pipeline's store, quarantine and events: the
 * seed is a recorded history, written once through the ledger
 * ({@link seedReadings}) and never announced to the live city. A reading the
 * checks reject is a bug of the seed: it throws, naming the reading and why.
 */
export function assessSeedObservations(
  options: AssessSeedObservationsOptions,
  docs: readonly SeedObservation[],
): SeedAssessment {
  const devices = new Map<string, DeviceInfo>(
    options.devices.map((d) => [
      d._id,
      { id: d._id, district: d.district, location: d.location },
    ]),
  );
  // One batch per hour of reception, as the data-quality view counts them.
  const batches = new Map<
    number,
    {
      receivedAt: Date;
      outcomes: { status: 'created'; flags: RecordQuality['flags'] }[];
      facts: RecordFact[];
    }
  >();
  const timeTexts = new Map<number, string>();
  for (const doc of docs) {
    const verdict = validateObservation(
      seedEntity(options.spec, doc, timeTexts),
      options.spec,
      {
        device: devices.get(doc.device.id),
        geography: cityGeography,
        source: options.source,
        receivedAt: doc.receivedAt,
        maxClockSkewMs: SEED_CLOCK_SKEW_MS,
      },
    );
    if (!verdict.ok)
      throw new Error(
        `seed: ${options.spec.type} ${doc._id} rejected by ingestion's checks: ${verdict.reason}: ${verdict.detail}`,
      );
    doc.quality = verdict.record.quality;
    const hour =
      Math.floor(doc.receivedAt.getTime() / STATS_BUCKET_MS) * STATS_BUCKET_MS;
    let batch = batches.get(hour);
    if (!batch) {
      batch = { receivedAt: new Date(hour), outcomes: [], facts: [] };
      batches.set(hour, batch);
    }
    // Counted as first stored: the seed's buckets describe the seed itself,
    // and are written whole (recordSeedStats), so re-seeding counts nothing twice.
    batch.outcomes.push({ status: 'created', flags: doc.quality.flags });
    batch.facts.push({
      type: options.spec.type,
      deviceId: doc.device.id,
      observedAt: doc.observedAt,
      score: doc.quality.score,
    });
  }
  const buckets = new Map<string, StatsIncrement>();
  for (const batch of batches.values())
    for (const increment of tallyBatch({ source: options.source, ...batch })) {
      const known = buckets.get(increment.id);
      if (!known) {
        buckets.set(increment.id, increment);
        continue;
      }
      // A reading observed in an earlier hour than it was received in.
      for (const [field, by] of Object.entries(increment.inc))
        known.inc[field] = (known.inc[field] ?? 0) + by;
    }
  return { increments: [...buckets.values()] };
}

/**
 * Writes the seed's data-quality buckets (from {@link assessSeedObservations})
 * into the department's `ingest_stats`, each replaced whole: the seed's
 * buckets hold only the seed's counts (their source is the seed), so
 * re-running the seed leaves them as they are instead of adding to them.
 */
export async function recordSeedStats(
  collection: IngestStatsCollection,
  assessments: readonly SeedAssessment[],
): Promise<number> {
  const increments = assessments.flatMap((a) => a.increments);
  await createIngestStats(collection).replace(increments);
  return increments.length;
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
