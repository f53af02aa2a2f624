/**
 * Environment's deterministic seed: air-quality (and noise) stations in
 * proportion to population (lib/subgraph-kit/seedPlan.ts: 24, at least one per
 * district, the first `env-aq-<INSEE>`, the others `env-aq-<INSEE>-<n>`) with
 * a reading every hour over the seed window (2,304 air-quality and 2,304
 * noise readings), 3 water meters per district (1 INFLOW, 2
 * CONSUMPTION) read hourly (4,608 readings), the leak alerts the detector
 * finds in them, and renewable-energy projects run by economy's businesses.
 * Figures are synthetic but shaped like the real thing: NO2 and noise follow
 * the traffic (weekday rush hours, none at the weekend: seeding.ts
 * `rushFactor`) and each district's traffic pressure, O3 the afternoon sun,
 * a stagnant-air episode on 21 November raises particles, water demand follows the day and
 * the population (about 150 L per inhabitant per day), and leaks add inflow
 * that no consumption meter sees.
 */
import { markSeededWindows } from '../../../lib/subgraph-kit/rollupPending.js';
import {
  AIR_QUALITY_ROLLUPS,
  NOISE_LEVEL_ROLLUPS,
  WATER_CONSUMPTION_ROLLUPS,
} from './analysis/readingRollups.js';
import {
  SEED_DISTRICTS,
  SEED_WINDOW,
  SeededRandom,
  bell,
  localHour,
  rushFactor,
  seedReadings,
  timeSteps,
  upsertAll,
  assessSeedObservations,
  recordSeedStats,
} from '../../../lib/subgraph-kit/seeding.js';
import { airQualityObservedSpec } from './ingest/AirQualityObserved.js';
import { noiseLevelObservedSpec } from './ingest/NoiseLevelObserved.js';
import { waterConsumptionObservedSpec } from './ingest/WaterConsumptionObserved.js';
import {
  createSilentLogger,
  type Logger,
} from '../../../lib/runtime/logger.js';
import { LATEST_POPULATION_YEAR } from '../../../lib/subgraph-kit/districts.js';
import {
  TRAFFIC_PRESSURE,
  seedCount,
} from '../../../lib/subgraph-kit/seedPlan.js';
import {
  SEED_QUALITY,
  seedSource,
} from '../../../lib/subgraph-kit/provenance.js';
import { leakAlertOf } from './analysis/leakAnalysis.js';
import { judgeNight, nightOf, type NightWindow } from './analysis/nightFlow.js';
import type {
  AirQualityObservedDoc,
  AirQualityStationDoc,
  EnvironmentModels,
  NoiseLevelObservedDoc,
  RenewableEnergyProjectDoc,
  WaterConsumptionObservedDoc,
  WaterLeakAlertDoc,
  WaterMeterDoc,
} from './models/index.js';

const SOURCE = seedSource('environment');

/** The night windows of the seed window (the leak detector judges each). */
const SEED_NIGHTS = timeSteps(60)
  .map((at) => nightOf(at))
  .filter(
    (w, i, all): w is NightWindow =>
      w !== null && all.findIndex((x) => x?.night === w.night) === i,
  );

/** Water demand shape: low at night, peaks at 8:00 and 20:00; mean about 1. */
function demandFactor(at: Date): number {
  const h = localHour(at);
  return (
    0.35 +
    1.1 * bell(h, 8, 1.8) +
    0.9 * bell(h, 20, 2.2) +
    0.45 * bell(h, 13, 2.5)
  );
}

/** Sunlight shape for ozone: 0 at night, 1 around 14:00. */
const sunFactor = (at: Date) => bell(localHour(at), 14, 2.5);

// A stagnant-air episode (anticyclone, low wind) raises particles and NO2.
const EPISODE = {
  from: new Date('2026-11-21T06:00:00Z'),
  to: new Date('2026-11-22T02:00:00Z'),
};
const inEpisode = (at: Date) => at >= EPISODE.from && at < EPISODE.to;

/**
 * Leaks the seed opens (physical leaks: extra inflow no consumption meter
 * sees): district, the hour of the window they start and stop (null: still
 * leaking at the end), extra inflow m3/h. Their alerts are not listed here:
 * the leak detector (analysis/nightFlow.ts) finds them in the seeded
 * consumption, as it would in ingested readings; a leak that no night shows
 * yet (13203's second) has no alert.
 */
const LEAKS: {
  district: string;
  startHour: number;
  endHour: number | null;
  lossM3h: number;
}[] = [
  { district: '13203', startHour: 20, endHour: 60, lossM3h: 95 },
  { district: '13203', startHour: 80, endHour: null, lossM3h: 40 },
  { district: '13205', startHour: 44, endHour: null, lossM3h: 48 },
  { district: '13210', startHour: 66, endHour: null, lossM3h: 45 },
  { district: '13213', startHour: 8, endHour: null, lossM3h: 70 },
  { district: '13215', startHour: 70, endHour: null, lossM3h: 60 },
  { district: '13216', startHour: 30, endHour: 56, lossM3h: 25 },
];

const SITES = [
  'groupe scolaire',
  'gymnase',
  'marché couvert',
  'centre social',
  'parking relais',
  'médiathèque',
  'dépôt RTM',
  'piscine municipale',
];

/** Generates every environment document (pure: same output on every run). */
export function generateEnvironmentSeed() {
  const rng = new SeededRandom('environment');
  const leakRng = new SeededRandom('environment-leaks');
  const hours = timeSteps(60);
  const stations: AirQualityStationDoc[] = [];
  const airQuality: AirQualityObservedDoc[] = [];
  const noise: NoiseLevelObservedDoc[] = [];
  const meters: WaterMeterDoc[] = [];
  const water: WaterConsumptionObservedDoc[] = [];
  const alerts: WaterLeakAlertDoc[] = [];
  const projects: RenewableEnergyProjectDoc[] = [];

  for (const district of SEED_DISTRICTS) {
    const code = district.code;
    const pressure = TRAFFIC_PRESSURE[code] ?? 1;

    // Air quality and noise.
    for (let n = 1; n <= seedCount('airQualityStations', code); n++) {
      const station: AirQualityStationDoc = {
        _id: n === 1 ? `env-aq-${code}` : `env-aq-${code}-${n}`,
        name: `Station qualité de l'air ${district.number}e${n === 1 ? '' : ` (${n})`}`,
        location: rng.pointIn(district),
        district: code,
      };
      stations.push(station);
      const background = rng.float(0.85, 1.15);
      for (const at of hours) {
        const rush = rushFactor(at);
        const episode = inEpisode(at) ? 1.6 : 1;
        const no2 =
          (12 + 70 * rush * pressure) *
          background *
          episode *
          rng.float(0.85, 1.15);
        const pm10 =
          (14 + 16 * rush * pressure) * episode * rng.float(0.85, 1.2);
        const pm25 = pm10 * rng.float(0.55, 0.7);
        const o3 = Math.max(
          4,
          (20 + 55 * sunFactor(at)) *
            (1.35 - 0.4 * rush * pressure) *
            rng.float(0.9, 1.1),
        );
        const id = `${station._id}@${at.toISOString()}`;
        airQuality.push({
          _id: id,
          device: { id: station._id, district: code },
          observedAt: at,
          no2: Math.round(no2 * 10) / 10,
          pm10: Math.round(pm10 * 10) / 10,
          pm25: Math.round(pm25 * 10) / 10,
          o3: Math.round(o3 * 10) / 10,
          source: SOURCE,
          receivedAt: at,
          quality: SEED_QUALITY,
        });
        const laeq =
          44 + 22 * rush * Math.min(pressure, 1.25) + rng.float(-1.5, 1.5);
        noise.push({
          _id: id,
          device: { id: station._id, district: code },
          observedAt: at,
          laeq: Math.round(laeq * 10) / 10,
          lamax: Math.round((laeq + rng.float(8, 22)) * 10) / 10,
          source: SOURCE,
          receivedAt: at,
          quality: SEED_QUALITY,
        });
      }

      // The current state the "now" fields answer from: the newest reading.
      station.latestAirQuality = airQuality.at(-1) ?? null;
      station.latestNoiseLevel = noise.at(-1) ?? null;
    }

    // Water network: one inflow meter, two consumption meters.
    const population = district.population[LATEST_POPULATION_YEAR] ?? 40_000;
    const hourlyDemand = (population * 0.15) / 24; // m3/h on average
    const baselineLoss = rng.float(0.07, 0.16, 3);
    const share = rng.float(0.45, 0.6);
    for (let i = 1; i <= 3; i++) {
      meters.push({
        _id: `env-wm-${code}-${i}`,
        name:
          i === 1
            ? `Compteur de sectorisation ${district.number}e (entrée)`
            : `Compteur sous-secteur ${district.number}e-${i - 1}`,
        role: i === 1 ? 'INFLOW' : 'CONSUMPTION',
        diameterMm:
          i === 1 ? rng.pick([300, 400, 500, 600]) : rng.pick([150, 200, 250]),
        location: rng.pointIn(district),
        district: code,
        installedAt: new Date(
          Date.UTC(rng.int(2008, 2022), rng.int(0, 11), rng.int(1, 28)),
        ),
      });
    }
    const leaks = LEAKS.filter((l) => l.district === code);
    const atHour = (h: number) =>
      new Date(SEED_WINDOW.from.getTime() + h * 3_600_000);
    // Each meter's cumulative index (FIWARE waterConsumption), m3: what it
    // would have counted since its installation at its mean rate, then each
    // hour's volume; so readings ingested after the seed continue it.
    const meanVolume = [
      hourlyDemand * (1 + baselineLoss),
      hourlyDemand * share,
      hourlyDemand * (1 - share),
    ];
    const indexes = meters
      .slice(-3)
      .map((meter, k) =>
        Math.round(
          ((SEED_WINDOW.from.getTime() - meter.installedAt.getTime()) /
            3_600_000) *
            (meanVolume[k] ?? 0),
        ),
      );
    hours.forEach((at, index) => {
      const h = index + 1; // hours[index] ends hour h of the window
      const demand = hourlyDemand * demandFactor(at) * rng.float(0.95, 1.05);
      const leaking = leaks
        .filter((l) => h > l.startHour && h <= (l.endHour ?? Infinity))
        .reduce((sum, l) => sum + l.lossM3h, 0);
      const inflow = demand * (1 + baselineLoss) + leaking;
      const readings: [number, number][] = [
        [1, inflow],
        [2, demand * share],
        [3, demand * (1 - share)],
      ];
      for (const [i, volume] of readings) {
        const meterId = `env-wm-${code}-${i}`;
        const consumption = Math.round(volume * 100) / 100;
        const meterIndex =
          Math.round(((indexes[i - 1] ?? 0) + consumption) * 1000) / 1000;
        indexes[i - 1] = meterIndex;
        water.push({
          _id: `${meterId}@${at.toISOString()}`,
          device: { id: meterId, district: code },
          role: i === 1 ? 'INFLOW' : 'CONSUMPTION',
          observedAt: at,
          intervalStart: new Date(at.getTime() - 3_600_000),
          consumption,
          meterIndex,
          source: SOURCE,
          receivedAt: at,
          quality: SEED_QUALITY,
        });
      }
    });
    // The current state the meters' "now" fields answer from.
    for (const meter of meters.slice(-3))
      meter.latestReading =
        water.findLast((r) => r.device.id === meter._id) ?? null;
    // The alerts: the detector run over each meter's seeded readings, night
    // by night; what staff did since is the seed's story (a repaired leak's
    // alert RESOLVED, one detected more than a day before the window's end
    // ACKNOWLEDGED, a recent one OPEN), drawn from its own generator.
    for (const meter of meters.slice(-3)) {
      const readings = water.filter((r) => r.device.id === meter._id);
      for (const window of SEED_NIGHTS) {
        const verdict = judgeNight(readings, window);
        if (!verdict.raises) continue;
        const alert = leakAlertOf(meter, verdict);
        const detected = alert.detectedAt.getTime();
        const repaired = leaks.some(
          (l) =>
            l.endHour !== null &&
            atHour(l.startHour).getTime() < detected &&
            atHour(l.endHour).getTime() > detected,
        );
        const status: WaterLeakAlertDoc['status'] = repaired
          ? 'RESOLVED'
          : SEED_WINDOW.to.getTime() - detected > 24 * 3_600_000
            ? 'ACKNOWLEDGED'
            : 'OPEN';
        const acknowledged = status !== 'OPEN';
        alerts.push({
          ...alert,
          status,
          acknowledgedAt: acknowledged
            ? new Date(detected + leakRng.int(1, 4) * 3_600_000)
            : null,
          acknowledgedBy: acknowledged
            ? `env-agent-${String(leakRng.int(1, 9)).padStart(2, '0')}`
            : null,
          note: !acknowledged
            ? null
            : repaired
              ? 'Fuite localisée et réparée.'
              : 'Équipe de recherche de fuite envoyée.',
        });
      }
    }

    // Renewable energy: rooftop solar everywhere, one more in the large
    // southern and eastern districts (8th to 12th) with the most roof space.
    const projectCount =
      rng.int(1, 3) + (district.number >= 8 && district.number <= 12 ? 1 : 0);
    for (let i = 1; i <= projectCount; i++) {
      const site = rng.pick(SITES);
      const type: RenewableEnergyProjectDoc['type'] =
        rng.next() < 0.8 ? 'SOLAR_PV' : 'SOLAR_THERMAL';
      const status = rng.pick([
        'OPERATIONAL',
        'OPERATIONAL',
        'OPERATIONAL',
        'UNDER_CONSTRUCTION',
        'PLANNED',
      ] as const);
      const capacityKw =
        type === 'SOLAR_PV' ? rng.int(36, 500) : rng.int(20, 150);
      projects.push({
        _id: `env-rep-${code}-${i}`,
        name: `${type === 'SOLAR_PV' ? 'Centrale photovoltaïque' : 'Solaire thermique'} ${site} ${district.number}e`,
        type,
        status,
        capacityKw,
        // About 1,400 kWh per kWp per year in Marseille for PV.
        expectedAnnualMwh:
          Math.round(capacityKw * (type === 'SOLAR_PV' ? 1.4 : 0.9) * 10) / 10,
        location: rng.pointIn(district),
        district: code,
        commissionedAt:
          status === 'OPERATIONAL'
            ? new Date(
                Date.UTC(rng.int(2015, 2025), rng.int(0, 11), rng.int(1, 28)),
              )
            : null,
        operatorId:
          rng.next() < 0.2
            ? null
            : `eco-biz-${code}-${String(rng.int(1, seedCount('businesses', code))).padStart(3, '0')}`,
      });
    }
  }

  // Two landmark projects beyond rooftop solar.
  const extra = (district: string, n: number) => `env-rep-${district}-${n}`;
  const count = (district: string) =>
    projects.filter((p) => p.district === district).length;
  const center = (code: string) => {
    const d = SEED_DISTRICTS.find((x) => x.code === code);
    if (!d) throw new Error(`unknown district ${code}`);
    return rng.pointIn(d);
  };
  projects.push({
    _id: extra('13202', count('13202') + 1),
    name: 'Boucle à eau de mer Euroméditerranée (thalassothermie)',
    type: 'THALASSOTHERMAL',
    status: 'OPERATIONAL',
    capacityKw: 19_000,
    expectedAnnualMwh: 45_000,
    location: center('13202'),
    district: '13202',
    commissionedAt: new Date(Date.UTC(2016, 9, 1)),
    operatorId: 'eco-biz-13202-001',
  });
  projects.push({
    _id: extra('13216', count('13216') + 1),
    name: 'Éolienne portuaire de L’Estaque',
    type: 'WIND',
    status: 'PLANNED',
    capacityKw: 2_000,
    expectedAnnualMwh: 4_200,
    location: center('13216'),
    district: '13216',
    commissionedAt: null,
    operatorId: 'eco-biz-13216-003',
  });

  return { stations, airQuality, noise, meters, water, alerts, projects };
}

/** Writes the seed (idempotent); returns the count per collection. */
export async function seedEnvironment(
  models: EnvironmentModels,
  logger: Logger = createSilentLogger(),
): Promise<Record<string, number>> {
  const data = generateEnvironmentSeed();
  // Ingestion's checks on every seeded reading, before anything is written:
  // each reading (and each device's current state) gets the quality the
  // pipeline gives it, and the data-quality view counts them under the seed.
  const assess = (
    spec: typeof airQualityObservedSpec,
    devices: Parameters<typeof assessSeedObservations>[0]['devices'],
    docs: Parameters<typeof assessSeedObservations>[1],
  ) => assessSeedObservations({ spec, devices, source: SOURCE }, docs);
  const assessments = [
    assess(airQualityObservedSpec, data.stations, data.airQuality),
    assess(noiseLevelObservedSpec, data.stations, data.noise),
    assess(waterConsumptionObservedSpec, data.meters, data.water),
  ];
  // Readings through the ledger, as ingestion stores them (time-series
  // collections refuse upserts).
  const readings = (
    model:
      | EnvironmentModels['AirQualityObserved']
      | EnvironmentModels['NoiseLevelObserved']
      | EnvironmentModels['WaterConsumptionObserved'],
    docs: readonly { _id: string }[],
  ) => seedReadings({ readings: model, keys: models.ReadingKey, logger }, docs);
  const counts = {
    air_quality_stations: await upsertAll(
      models.AirQualityStation,
      data.stations,
    ),
    air_quality_observed: await readings(
      models.AirQualityObserved,
      data.airQuality,
    ),
    noise_level_observed: await readings(models.NoiseLevelObserved, data.noise),
    water_meters: await upsertAll(models.WaterMeter, data.meters),
    water_consumption_observed: await readings(
      models.WaterConsumptionObserved,
      data.water,
    ),
    water_leak_alerts: await upsertAll(models.WaterLeakAlert, data.alerts),
    renewable_energy_projects: await upsertAll(
      models.RenewableEnergyProject,
      data.projects,
    ),
    ingest_stats: await recordSeedStats(
      models.IngestStat.collection,
      assessments,
    ),
  };
  // The seeded history's rollups: its windows marked, as ingest would mark
  // them; the rollup job computes them (at start: its catch-up).
  await markSeededWindows(models.AirQualityObserved.db, [
    [AIR_QUALITY_ROLLUPS, data.airQuality],
    [NOISE_LEVEL_ROLLUPS, data.noise],
    [WATER_CONSUMPTION_ROLLUPS, data.water],
  ]);
  return counts;
}
