/**
 * Not a public module: the rollup series of the city's reading collections, as the departments
 * declare them for their rollup jobs, by reading collection (for the benchmarks that drive the
 * rollup engine directly), and readings shaped for them.
 */
import {
  scopeField,
  type RollupSeries,
} from '../../lib/subgraph-kit/rollups.js';
import { ENVIRONMENT_ROLLUPS } from '../../subgraphs/environment/src/analysis/readingRollups.js';
import { TRAFFIC_FLOW_ROLLUPS } from '../../subgraphs/mobility/src/analysis/congestionTrend.js';
import type { SyntheticReading } from './syntheticReadings.js';

const SERIES: readonly RollupSeries[] = [
  TRAFFIC_FLOW_ROLLUPS,
  ...ENVIRONMENT_ROLLUPS,
];

/** The series of reading collection `collection`; throws for a collection without one. */
export function rollupSeriesOf(collection: string): RollupSeries {
  const found = SERIES.find((s) => s.readings === collection);
  if (!found) throw new Error(`no rollup series declared for ${collection}`);
  return found;
}

/**
 * `reading` with its device and district also where `series` reads them, when that is not the
 * `device` meta field (a department's readings stored before time-series storage keep them
 * top-level, e.g. `stationId` and `district`).
 */
export function shapedFor(
  series: RollupSeries,
  reading: SyntheticReading,
): SyntheticReading {
  const device = scopeField(series, 'device');
  const district = scopeField(series, 'district');
  if (device === 'device.id' && district === 'device.district') return reading;
  return {
    ...reading,
    [device]: reading.device.id,
    [district]: reading.device.district,
  };
}
