/**
 * Not a public module: deterministic synthetic readings of the city's four reading collections,
 * shaped as the departments store them (the time-series measurement: `_id`, `device: { id,
 * district }`, `observedAt`, the quantities, provenance), for `npm run sim:year` and
 * `npm run bench:scale`. Each reading is a pure function of its device and time, so any window of
 * any day can be generated alone, the same on every run. Figures are shaped like the seed's
 * (lib/subgraph-kit/seeding.ts: weekday rush hours, quiet nights and weekends).
 */
import { DISTRICTS } from '../../lib/subgraph-kit/districts.js';
import { SeededRandom, trafficDemand } from '../../lib/subgraph-kit/seeding.js';
import { isCongested } from '../../subgraphs/mobility/src/ingest/TrafficFlowObserved.js';

/** The four kinds of device, by the reading collection they feed. */
export const READING_KINDS = {
  traffic: { collection: 'traffic_flow_readings', database: 'mobility' },
  air: { collection: 'air_quality_observed', database: 'environment' },
  noise: { collection: 'noise_level_observed', database: 'environment' },
  water: { collection: 'water_consumption_observed', database: 'environment' },
} as const;
/** One kind of device. */
export type ReadingKind = keyof typeof READING_KINDS;
/** The kinds, in a fixed order. */
export const KIND_NAMES = Object.keys(READING_KINDS) as ReadingKind[];

/** One synthetic device. */
export interface SyntheticDevice {
  readonly kind: ReadingKind;
  readonly id: string;
  /** INSEE code. */
  readonly district: string;
  /** Its index among all devices (seeds its readings). */
  readonly index: number;
  /** Seconds between two readings. */
  readonly everySeconds: number;
  /** 0.6 to 1.4: how busy its road, how polluted or noisy its street, how large its water sector. */
  readonly load: number;
  /** Water meters: the district's inflow meter, or a consumption meter. */
  readonly role?: 'INFLOW' | 'CONSUMPTION';
}

/** How many devices of each kind, and how often each reports. */
export type DeviceMix = Readonly<
  Record<ReadingKind, { readonly count: number; readonly everySeconds: number }>
>;

const PREFIX: Readonly<Record<ReadingKind, string>> = {
  traffic: 'sim-ts',
  air: 'sim-aq',
  noise: 'sim-nl',
  water: 'sim-wm',
};

/**
 * The devices of `mix`, spread over the 16 districts in turn (device `i` of a kind in district
 * `i mod 16`); the first water meter of each district measures its inflow.
 */
export function syntheticDevices(mix: DeviceMix): SyntheticDevice[] {
  const devices: SyntheticDevice[] = [];
  let index = 0;
  for (const kind of KIND_NAMES) {
    const { count, everySeconds } = mix[kind];
    for (let i = 0; i < count; i++) {
      const district = DISTRICTS[i % DISTRICTS.length];
      if (!district) throw new Error('no district');
      const n = Math.floor(i / DISTRICTS.length) + 1;
      const rng = new SeededRandom(`${kind}-${i}`);
      devices.push({
        kind,
        id: `${PREFIX[kind]}-${district.code}-${String(n).padStart(4, '0')}`,
        district: district.code,
        index: index++,
        everySeconds,
        load: rng.float(0.6, 1.4),
        ...(kind === 'water'
          ? { role: n === 1 ? ('INFLOW' as const) : ('CONSUMPTION' as const) }
          : {}),
      });
    }
  }
  return devices;
}

/** A stored reading (the fields every kind has, and its quantities). */
export interface SyntheticReading {
  _id: string;
  device: { id: string; district: string };
  observedAt: Date;
  source: { kind: 'device'; id: string };
  receivedAt: Date;
  quality: { flags: string[]; score: number };
  [quantity: string]: unknown;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The reading of `device` observed at `at` (the end of its interval). */
export function readingAt(device: SyntheticDevice, at: Date): SyntheticReading {
  const t = at.getTime();
  const rng = new SeededRandom((device.index * 2_654_435_761 + t / 1000) >>> 0);
  const rush = trafficDemand(at);
  const base = {
    _id: `${device.id}@${at.toISOString()}`,
    device: { id: device.id, district: device.district },
    observedAt: at,
    source: { kind: 'device' as const, id: device.id },
    // Devices send within seconds of the interval's end.
    receivedAt: new Date(t + 1000 + Math.floor(rng.next() * 4000)),
    quality: { flags: [], score: 1 },
  };
  switch (device.kind) {
    case 'traffic': {
      const pressure = rush * device.load;
      const occupancy = Math.min(
        0.98,
        Math.round(pressure * 0.55 * rng.float(0.8, 1.2) * 100) / 100,
      );
      const averageSpeed = round1(
        Math.max(4, 52 - 45 * pressure * rng.float(0.85, 1.1)),
      );
      return {
        ...base,
        intensity: Math.round(1800 * pressure * rng.float(0.85, 1.15)),
        averageSpeed,
        occupancy,
        congested: isCongested(occupancy, averageSpeed),
      };
    }
    case 'air': {
      const pm10 = (14 + 16 * rush * device.load) * rng.float(0.85, 1.2);
      return {
        ...base,
        no2: round1((12 + 70 * rush * device.load) * rng.float(0.85, 1.15)),
        pm10: round1(pm10),
        pm25: round1(pm10 * rng.float(0.55, 0.7)),
        o3: round1(Math.max(4, (20 + 40 * (1 - rush)) * rng.float(0.9, 1.1))),
      };
    }
    case 'noise': {
      const laeq =
        44 + 22 * rush * Math.min(device.load, 1.25) + rng.float(-1.5, 1.5);
      return {
        ...base,
        laeq: round1(laeq),
        lamax: round1(laeq + rng.float(8, 22)),
      };
    }
    case 'water': {
      // About 150 L per inhabitant and day; a sector of ~ 2,000 to 5,000 people per meter.
      const hourly = (device.role === 'INFLOW' ? 40 : 18) * device.load;
      const consumption =
        Math.round(hourly * (0.4 + rush) * rng.float(0.95, 1.05) * 100) / 100;
      return {
        ...base,
        role: device.role ?? 'CONSUMPTION',
        intervalStart: new Date(t - device.everySeconds * 1000),
        consumption,
        meterIndex: Math.round((t / 3_600_000) * hourly * 1000) / 1000,
        minFlow: null,
        maxFlow: null,
      };
    }
  }
}

/** Every reading of `device` observed in [from, to), oldest first (aligned to its period). */
export function* readingsBetween(
  device: SyntheticDevice,
  from: Date,
  to: Date,
): Generator<SyntheticReading> {
  const step = device.everySeconds * 1000;
  const first = Math.ceil(from.getTime() / step) * step;
  for (let t = first; t < to.getTime(); t += step)
    yield readingAt(device, new Date(t));
}

/** Devices of one kind from a department's own list (e.g. the seeded sensors), reporting every `everySeconds`. */
export function devicesFrom(
  kind: ReadingKind,
  list: readonly { id: string; district: string; role?: string }[],
  everySeconds: number,
  firstIndex = 0,
): SyntheticDevice[] {
  return list.map((d, i) => ({
    kind,
    id: d.id,
    district: d.district,
    index: firstIndex + i,
    everySeconds,
    load: new SeededRandom(`${kind}-${d.id}`).float(0.6, 1.4),
    ...(kind === 'water'
      ? {
          role:
            d.role === 'INFLOW'
              ? ('INFLOW' as const)
              : ('CONSUMPTION' as const),
        }
      : {}),
  }));
}
