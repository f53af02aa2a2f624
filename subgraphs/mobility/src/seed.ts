/**
 * Mobility's deterministic seed: traffic sensors in proportion to each
 * district's population and road traffic (lib/subgraph-kit/seedPlan.ts, 144 in
 * all), each on one of its district's main roads (lib/subgraph-kit/streets.ts),
 * with a reading every 15 minutes over the seed window; 4 traffic lights per
 * district at crossings of its roads; the RTM metro (verified station lists)
 * and tram termini; levélo stations in proportion to population and the
 * network's coverage. Station-to-district placement is approximate
 * (documented in README.md); traffic figures are synthetic, shaped by the day
 * (weekday rush hours at 8:00 and 18:00, none at the weekend) and by each
 * sensor's load at the peak, so that the busiest roads congest at rush hour
 * and the others do not.
 */
import { markSeededWindows } from '../../../lib/subgraph-kit/rollupPending.js';
import { TRAFFIC_FLOW_ROLLUPS } from './analysis/congestionTrend.js';
import { readFileSync } from 'node:fs';
import { geoJsonPointOf } from '../../../lib/subgraph-kit/nearbyLoader.js';
import {
  SEED_DISTRICTS,
  SeededRandom,
  timeSteps,
  trafficDemand,
  seedReadings,
  upsertAll,
  assessSeedObservations,
  recordSeedStats,
  SEED_WINDOW,
} from '../../../lib/subgraph-kit/seeding.js';
import {
  createSilentLogger,
  type Logger,
} from '../../../lib/runtime/logger.js';
import { findDistrict } from '../../../lib/subgraph-kit/districts.js';
import { seedCount } from '../../../lib/subgraph-kit/seedPlan.js';
import { streetsOf } from '../../../lib/subgraph-kit/streets.js';
import {
  isCongested,
  trafficFlowObservedSpec,
} from './ingest/TrafficFlowObserved.js';
import {
  SEED_QUALITY,
  seedSource,
} from '../../../lib/subgraph-kit/provenance.js';
import type {
  BikeStationDoc,
  MobilityModels,
  TrafficFlowReadingDoc,
  TrafficLightDoc,
  TrafficSensorDoc,
  TransitLineDoc,
  TransitStopDoc,
} from './models/index.js';

const SOURCE = seedSource('mobility');

/** The roads of a district (at least two in the list, see STREETS.md). */
function roadsOf(code: string): readonly string[] {
  const roads = streetsOf(code);
  if (roads.length < 2) throw new Error(`fewer than two roads for ${code}`);
  return roads;
}

/**
 * A road's state at a load (demand over capacity): detector occupancy rises
 * with the square of the load, speed falls sharply near capacity, and past it
 * the flow itself drops (stop-and-go).
 */
function roadState(load: number, capacity: number, freeSpeed: number) {
  const occupancy = Math.min(0.95, 0.03 + 0.62 * load ** 2);
  const averageSpeed = Math.max(
    5,
    freeSpeed * (1 - 0.75 * Math.min(load, 1.2) ** 3),
  );
  const flow = load <= 1 ? load : Math.max(0.6, 2 - load);
  return {
    intensity: Math.round(capacity * flow),
    occupancy: Math.round(occupancy * 100) / 100,
    averageSpeed: Math.round(averageSpeed * 10) / 10,
  };
}

// Approximate arrondissement of each metro station, used only to place seed
// stops (not verified against an official source).
const STATION_DISTRICT: Record<string, string> = {
  'La Rose': '13213',
  'Frais Vallon': '13213',
  Malpassé: '13213',
  'Saint-Just - Hôtel de Département': '13213',
  Chartreux: '13204',
  'Cinq-Avenues - Longchamp': '13204',
  'Réformés - Canebière': '13201',
  'Saint-Charles': '13201',
  'Colbert - Hôtel de Région': '13201',
  'Vieux-Port - Hôtel de Ville': '13202',
  'Estrangin - Préfecture': '13206',
  Castellane: '13206',
  Baille: '13205',
  'La Timone': '13205',
  'La Blancarde': '13212',
  'Louis Armand': '13212',
  'Saint-Barnabé': '13212',
  'La Fourragère': '13212',
  Gèze: '13215',
  Bougainville: '13215',
  National: '13203',
  'Désirée Clary': '13203',
  Joliette: '13202',
  'Jules Guesde': '13201',
  Noailles: '13201',
  'Notre-Dame-du-Mont - Cours Julien': '13206',
  Périer: '13208',
  'Rond-Point du Prado': '13208',
  'Sainte-Marguerite Dromel': '13209',
  'Les Caillols': '13212',
  'Arenc - Le Silo': '13202',
  'La Gaye': '13209',
};

interface TransitData {
  metro: { line: string; termini: string[]; stations: string[] }[];
  tram: { line: string; termini: string[] }[];
}

const slug = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Generates every mobility document (pure: same output on every run). */
export function generateMobilitySeed() {
  const rng = new SeededRandom('mobility');
  const sensors: TrafficSensorDoc[] = [];
  const readings: TrafficFlowReadingDoc[] = [];
  const lights: TrafficLightDoc[] = [];
  const bikes: BikeStationDoc[] = [];
  const steps = timeSteps(15);

  for (const district of SEED_DISTRICTS) {
    const roads = roadsOf(district.code);
    const sensorCount = seedCount('trafficSensors', district.code);
    for (let i = 1; i <= sensorCount; i++) {
      // Every road of the district gets a sensor before any gets a second.
      const road = roads[(i - 1) % roads.length] ?? roads[0] ?? '';
      const laneCount = rng.int(1, 4);
      const sensor: TrafficSensorDoc = {
        _id: `mob-ts-${district.code}-${String(i).padStart(2, '0')}`,
        name: `${road} #${i} (${district.number}e)`,
        roadName: road,
        laneCount,
        location: rng.pointIn(district),
        district: district.code,
      };
      sensors.push(sensor);
      const capacity = 900 * laneCount;
      const freeSpeed = laneCount >= 3 ? 50 : 40;
      // The load at a weekday peak: above about 0.95 the road congests at
      // rush hour (about a third of the sensors), below it it does not.
      const peakLoad = rng.float(0.5, 1.15);
      for (const at of steps) {
        const load = trafficDemand(at) * peakLoad * rng.float(0.92, 1.08);
        const state = roadState(load, capacity, freeSpeed);
        readings.push({
          _id: `${sensor._id}@${at.toISOString()}`,
          device: { id: sensor._id, district: district.code },
          observedAt: at,
          ...state,
          congested: isCongested(state.occupancy, state.averageSpeed),
          source: SOURCE,
          receivedAt: at,
          quality: SEED_QUALITY,
        });
      }
      // The current state the "now" fields answer from: the newest reading.
      sensor.latest = readings.at(-1) ?? null;
    }
    for (let i = 1; i <= 4; i++) {
      // A crossing of two of the district's roads.
      const road = rng.pick(roads);
      const cross = rng.pick(roads.filter((r) => r !== road));
      const green = rng.int(20, 40);
      lights.push({
        _id: `mob-tl-${district.code}-${String(i).padStart(2, '0')}`,
        name: `Feu ${road} / ${cross}`,
        intersection: `${road} x ${cross}`,
        location: rng.pointIn(district),
        district: district.code,
        status:
          rng.next() < 0.9
            ? 'OPERATIONAL'
            : rng.pick(['FAULT', 'MAINTENANCE'] as const),
        signalPlan: {
          planId: `mob-tl-${district.code}-${String(i).padStart(2, '0')}-plan-1`,
          name: 'Plan jour',
          cycleSeconds: 90,
          phases: [
            { name: 'principal', greenSeconds: green + 10 },
            { name: 'secondaire', greenSeconds: green },
          ],
          validFrom: SEED_WINDOW.from,
          updatedBy: null,
        },
      });
    }
    for (let i = 1; i <= seedCount('bikeStations', district.code); i++) {
      const capacity = rng.int(15, 35);
      bikes.push({
        _id: `mob-bk-${district.code}-${i}`,
        name: `levélo ${district.number}e #${i}`,
        location: rng.pointIn(district),
        district: district.code,
        capacity,
        availableBikes: rng.int(0, capacity),
        observedAt: SEED_WINDOW.to,
      });
    }
  }

  const transit = JSON.parse(
    readFileSync(
      new URL(
        '../../../lib/subgraph-kit/data/marseille/transit_rtm.json',
        import.meta.url,
      ),
      'utf8',
    ),
  ) as TransitData;
  const stops = new Map<string, TransitStopDoc>();
  const lines: TransitLineDoc[] = [];
  const addLine = (
    id: string,
    shortName: string,
    mode: TransitLineDoc['mode'],
    names: string[],
    termini: string[],
  ) => {
    const stopIds = names.map((name) => {
      const stopId = `rtm-stop-${slug(name)}`;
      const districtCode = STATION_DISTRICT[name] ?? '13201';
      const district = findDistrict(districtCode);
      if (!district) throw new Error(`unknown district ${districtCode}`);
      const stop = stops.get(stopId) ?? {
        _id: stopId,
        name,
        location: rng.pointIn(district),
        district: districtCode,
        lineIds: [],
      };
      stop.lineIds.push(id);
      stops.set(stopId, stop);
      return stopId;
    });
    lines.push({
      _id: id,
      shortName,
      longName: `${termini[0]} ↔ ${termini[1]}`,
      mode,
      stopIds,
    });
  };
  for (const m of transit.metro)
    addLine(`rtm-${m.line}`, m.line, 'METRO', m.stations, m.termini);
  for (const t of transit.tram)
    addLine(`rtm-${t.line}`, t.line, 'TRAM', t.termini, t.termini);

  return {
    sensors,
    readings,
    lights,
    bikes,
    lines,
    stops: [...stops.values()],
  };
}

/** Writes the seed (idempotent); returns the count per collection. */
export async function seedMobility(
  models: MobilityModels,
  logger: Logger = createSilentLogger(),
): Promise<Record<string, number>> {
  const data = generateMobilitySeed();
  // Ingestion's checks on every seeded reading, before anything is written:
  // each reading (and each sensor's current state) gets the quality the
  // pipeline gives it, and the data-quality view counts them under the seed.
  const assessment = assessSeedObservations(
    { spec: trafficFlowObservedSpec, devices: data.sensors, source: SOURCE },
    data.readings,
  );
  // Sensors and stops stored before positions were (the geo queries read
  // `position`): derive it from `location`. Idempotent.
  for (const collection of [
    models.TrafficSensor.collection,
    models.TransitStop.collection,
  ]) {
    const unplaced = await collection
      .find({ position: { $exists: false } })
      .project<{ _id: string; location: { lat: number; lon: number } }>({
        location: 1,
      })
      .toArray();
    for (const doc of unplaced)
      await collection.updateOne(
        { _id: doc._id as never },
        { $set: { position: geoJsonPointOf(doc.location) } },
      );
  }
  const counts = {
    traffic_sensors: await upsertAll(models.TrafficSensor, data.sensors),
    // Through the ledger, as ingestion stores them (time-series collections refuse upserts).
    traffic_flow_readings: await seedReadings(
      { readings: models.TrafficFlowReading, keys: models.ReadingKey, logger },
      data.readings,
    ),
    traffic_lights: await upsertAll(models.TrafficLight, data.lights),
    bike_stations: await upsertAll(models.BikeStation, data.bikes),
    transit_lines: await upsertAll(models.TransitLine, data.lines),
    transit_stops: await upsertAll(models.TransitStop, data.stops),
    ingest_stats: await recordSeedStats(models.IngestStat.collection, [
      assessment,
    ]),
  };
  // The seeded history's rollups: its windows marked, as ingest would mark
  // them; the rollup job computes them (at start: its catch-up).
  await markSeededWindows(models.TrafficFlowReading.db, [
    [TRAFFIC_FLOW_ROLLUPS, data.readings],
  ]);
  return counts;
}
