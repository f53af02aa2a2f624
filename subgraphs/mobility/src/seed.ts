/**
 * Mobility's deterministic seed: 8 traffic sensors per district with a
 * reading every 15 minutes over the seed window (49,152 readings), 4 traffic
 * lights per district, the RTM metro (verified station lists) and tram
 * termini, and 3 levélo stations per district. Station-to-district placement
 * is approximate (documented in README.md); traffic figures are synthetic,
 * shaped by rush hours.
 */
import { readFileSync } from 'node:fs';
import { geoJsonPointOf } from '../../../lib/subgraph-kit/nearbyLoader.js';
import {
  SEED_DISTRICTS,
  SeededRandom,
  timeSteps,
  upsertAll,
  SEED_WINDOW,
  rushFactor,
} from '../../../lib/subgraph-kit/seeding.js';
import { findDistrict } from '../../../lib/subgraph-kit/districts.js';
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

const ROADS = [
  'La Canebière',
  'Boulevard National',
  'Avenue du Prado',
  'Boulevard Michelet',
  'Rue de Rome',
  'Boulevard de Plombières',
  'Avenue de Saint-Just',
  'Boulevard Sakakini',
  'Corniche Kennedy',
  'Avenue de la Capelette',
  'Boulevard Baille',
  'Avenue des Chartreux',
  'Chemin du Littoral',
  'Boulevard de la Libération',
  'Avenue de Mazargues',
  'Rue Paradis',
];

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
    for (let i = 1; i <= 8; i++) {
      const road = rng.pick(ROADS);
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
      const busy = rng.float(0.6, 1.2);
      for (const at of steps) {
        const load = Math.min(1, rushFactor(at) * busy * rng.float(0.85, 1.15));
        const occupancy = Math.round(Math.min(0.98, load * 0.85) * 100) / 100;
        const averageSpeed =
          Math.round(Math.max(5, 50 * (1 - load * 0.8)) * 10) / 10;
        readings.push({
          _id: `${sensor._id}@${at.toISOString()}`,
          sensorId: sensor._id,
          district: district.code,
          observedAt: at,
          intensity: Math.round(capacity * load),
          averageSpeed,
          occupancy,
          congested: occupancy > 0.6 || averageSpeed < 15,
          source: SOURCE,
          receivedAt: at,
          quality: SEED_QUALITY,
        });
      }
      // The current state the "now" fields answer from: the newest reading.
      sensor.latest = readings.at(-1) ?? null;
    }
    for (let i = 1; i <= 4; i++) {
      const road = rng.pick(ROADS);
      const cross = rng.pick(ROADS.filter((r) => r !== road));
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
    for (let i = 1; i <= 3; i++) {
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
): Promise<Record<string, number>> {
  const data = generateMobilitySeed();
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
  return {
    traffic_sensors: await upsertAll(models.TrafficSensor, data.sensors),
    traffic_flow_readings: await upsertAll(
      models.TrafficFlowReading,
      data.readings,
    ),
    traffic_lights: await upsertAll(models.TrafficLight, data.lights),
    bike_stations: await upsertAll(models.BikeStation, data.bikes),
    transit_lines: await upsertAll(models.TransitLine, data.lines),
    transit_stops: await upsertAll(models.TransitStop, data.stops),
  };
}
