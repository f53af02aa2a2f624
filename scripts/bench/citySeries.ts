/**
 * Not a public module: the rollup series of the city's reading collections, as the departments
 * declare them, by reading collection (for the benchmarks that drive the rollup engine directly).
 */
import type { RollupSeries } from '../../lib/subgraph-kit/rollups.js';

// TODO(issue-17): import the departments' own series once ROLLUPS wires them.
const SERIES: readonly RollupSeries[] = [
  {
    readings: 'traffic_flow_readings',
    quantities: {
      intensity: '$intensity',
      averageSpeed: '$averageSpeed',
      occupancy: '$occupancy',
      congested: {
        $cond: [
          { $eq: ['$congested', true] },
          1,
          { $cond: [{ $eq: ['$congested', false] }, 0, null] },
        ],
      },
    },
  },
  {
    readings: 'air_quality_observed',
    quantities: { no2: '$no2', pm10: '$pm10', pm25: '$pm25', o3: '$o3' },
  },
  {
    readings: 'noise_level_observed',
    quantities: { laeq: '$laeq', lamax: '$lamax' },
  },
  {
    readings: 'water_consumption_observed',
    quantities: { consumption: '$consumption' },
  },
];

/** The series of reading collection `collection`; throws for a collection without one. */
export function rollupSeriesOf(collection: string): RollupSeries {
  const found = SERIES.find((s) => s.readings === collection);
  if (!found) throw new Error(`no rollup series declared for ${collection}`);
  return found;
}
