/**
 * Congestion over time from the rollups of traffic flow readings
 * (District.congestionTrend, docs/trends.md): what mobility's rollups keep
 * of each reading, and the schema's bucket of a rollup bucket, by the same
 * rules as the sliding window (congestionWindow.ts).
 */
import type { TrendBucket } from '../../../../lib/subgraph-kit/readTrend.js';
import type { RollupSeries } from '../../../../lib/subgraph-kit/rollups.js';
import { intensity, speed } from '../resolvers/units.js';
import { congestionLevel, type CongestionLevel } from './congestionWindow.js';

/** Mobility's traffic flow readings as a rollup series (→ `traffic_flow_rollups`). */
export const TRAFFIC_FLOW_ROLLUPS: RollupSeries = {
  readings: 'traffic_flow_readings',
  quantities: {
    occupancy: '$occupancy',
    averageSpeed: '$averageSpeed',
    intensity: '$intensity',
    // 1 or 0, so its mean is the share of congested readings (null: unknown).
    congested: {
      $cond: [
        { $eq: ['$congested', true] },
        1,
        { $cond: [{ $eq: ['$congested', false] }, 0, null] },
      ],
    },
  },
};

/** The schema's `CongestionTrendBucket`. */
export interface CongestionTrendBucketValue {
  start: Date;
  end: Date;
  readingCount: number;
  averageOccupancy: number | null;
  maxOccupancy: number | null;
  averageSpeed: { value: number; unit: string } | null;
  minSpeed: { value: number; unit: string } | null;
  averageIntensity: { value: number; unit: string } | null;
  maxIntensity: { value: number; unit: string } | null;
  congestedShare: number | null;
  level: CongestionLevel;
}

const round = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined
    ? null
    : Math.round(value * 10 ** digits) / 10 ** digits;

/** The schema's bucket of one rollup bucket of {@link TRAFFIC_FLOW_ROLLUPS}. */
export function congestionTrendBucket(
  bucket: TrendBucket,
): CongestionTrendBucketValue {
  const q = bucket.q;
  const averageOccupancy = q['occupancy']?.mean ?? null;
  const averageSpeed = q['averageSpeed']?.mean ?? null;
  const minSpeed = q['averageSpeed']?.min ?? null;
  const averageIntensity = q['intensity']?.mean ?? null;
  const maxIntensity = q['intensity']?.max ?? null;
  return {
    start: bucket.start,
    end: bucket.end,
    readingCount: bucket.count,
    averageOccupancy: round(averageOccupancy, 3),
    maxOccupancy: q['occupancy']?.max ?? null,
    averageSpeed: averageSpeed === null ? null : speed(averageSpeed),
    minSpeed: minSpeed === null ? null : speed(minSpeed),
    averageIntensity:
      averageIntensity === null
        ? null
        : intensity(Math.round(averageIntensity)),
    maxIntensity: maxIntensity === null ? null : intensity(maxIntensity),
    congestedShare: round(q['congested']?.mean, 3),
    level: congestionLevel(averageOccupancy),
  };
}
