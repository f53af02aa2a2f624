/**
 * Environment's readings as rollup series (docs/trends.md): what the rollups
 * of air quality, noise and water readings keep, and the schema's trend
 * buckets of them (AirQualityStation.airQualityIndexTrend,
 * District.waterBalance and District.waterBalanceTrend).
 */
import type {
  Totals,
  TrendBucket,
} from '../../../../lib/subgraph-kit/readTrend.js';
import type { RollupSeries } from '../../../../lib/subgraph-kit/rollups.js';
import { airQualityIndexOfPresent } from '../airQualityIndex.js';
import { concentration, cubicMetres } from '../resolvers/units.js';

/** Air-quality readings (→ `air_quality_rollups`): each pollutant of the index. */
export const AIR_QUALITY_ROLLUPS: RollupSeries = {
  readings: 'air_quality_observed',
  quantities: {
    no2: '$no2',
    pm10: '$pm10',
    pm25: '$pm25',
    o3: '$o3',
    so2: '$so2',
  },
};

/** Noise readings (→ `noise_level_rollups`): LAeq. */
export const NOISE_LEVEL_ROLLUPS: RollupSeries = {
  readings: 'noise_level_observed',
  quantities: { laeq: '$laeq' },
};

/**
 * Water readings (→ `water_consumption_rollups`): the volume of INFLOW
 * meters and that of CONSUMPTION meters apart, as the balance needs them.
 */
export const WATER_CONSUMPTION_ROLLUPS: RollupSeries = {
  readings: 'water_consumption_observed',
  quantities: {
    inflow: {
      $cond: [{ $eq: ['$role', 'INFLOW'] }, '$consumption', null],
    },
    consumption: {
      $cond: [{ $eq: ['$role', 'INFLOW'] }, null, '$consumption'],
    },
  },
};

/** Every series of environment, for its rollup job. */
export const ENVIRONMENT_ROLLUPS: readonly RollupSeries[] = [
  AIR_QUALITY_ROLLUPS,
  NOISE_LEVEL_ROLLUPS,
  WATER_CONSUMPTION_ROLLUPS,
];

/** The schema's `AirQualityIndexTrendBucket` of one bucket of {@link AIR_QUALITY_ROLLUPS}. */
export function airQualityIndexTrendBucket(bucket: TrendBucket) {
  const mean = (name: string) => bucket.q[name]?.mean ?? null;
  const means = {
    no2: mean('no2'),
    pm10: mean('pm10'),
    pm25: mean('pm25'),
    o3: mean('o3'),
    so2: mean('so2'),
  };
  const quantity = (value: number | null) =>
    value === null ? null : concentration(value);
  return {
    start: bucket.start,
    end: bucket.end,
    readingCount: bucket.count,
    no2: quantity(means.no2),
    pm10: quantity(means.pm10),
    pm25: quantity(means.pm25),
    o3: quantity(means.o3),
    so2: quantity(means.so2),
    index: airQualityIndexOfPresent(means),
  };
}

/** Volumes of a balance, m3. */
export interface WaterVolumes {
  inflow: number;
  consumption: number;
  readingCount: number;
}

/** The volumes of a bucket or a total of {@link WATER_CONSUMPTION_ROLLUPS}. */
export function waterVolumes(stats: TrendBucket | Totals): WaterVolumes {
  return {
    inflow: stats.q['inflow']?.sum ?? 0,
    consumption: stats.q['consumption']?.sum ?? 0,
    readingCount: stats.count,
  };
}

/** The balance fields (inflow, consumption, loss, lossRate, readingCount) of volumes. */
export function balanceOf(volumes: WaterVolumes) {
  const loss = Math.max(0, volumes.inflow - volumes.consumption);
  return {
    inflow: cubicMetres(volumes.inflow),
    consumption: cubicMetres(volumes.consumption),
    loss: cubicMetres(loss),
    lossRate:
      volumes.inflow > 0
        ? Math.round((loss / volumes.inflow) * 1000) / 1000
        : null,
    readingCount: volumes.readingCount,
  };
}
