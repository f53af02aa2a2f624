/** Loader: the water balance of each district over a time range, from the water rollups. */
import DataLoader from 'dataloader';
import { readTotals } from '../../../../lib/subgraph-kit/readTrend.js';
import type { RollupSettings } from '../../../../lib/subgraph-kit/rollupJob.js';
import type { TimeRange } from '../../../../lib/subgraph-kit/pagination.js';
import {
  WATER_CONSUMPTION_ROLLUPS,
  waterVolumes,
} from '../analysis/readingRollups.js';
import type { EnvironmentModels } from '../models/index.js';

/** Which district, over which range (both ends optional). */
export interface WaterBalanceKey {
  district: string;
  range?: TimeRange | null | undefined;
}

/** Sums of a district's meter readings by role. */
export interface WaterBalanceTotals {
  district: string;
  /** m3 measured by INFLOW meters. */
  inflow: number;
  /** m3 measured by CONSUMPTION meters. */
  consumption: number;
  readingCount: number;
}

const rangeKey = (range: TimeRange | null | undefined) =>
  `${range?.from?.toISOString() ?? ''}/${range?.to?.toISOString() ?? ''}`;

/**
 * Water balances from the rollups whatever the range (docs/trends.md): one
 * read per distinct range in a batch (a query usually asks every district
 * for the same range: one read in all), whole days, hours and 15-minute
 * windows plus the raw readings of a window an end cuts. The range is
 * validated before anything is read (by the resolver).
 */
export function waterBalanceByDistrict(
  models: EnvironmentModels,
  rollups?: RollupSettings,
) {
  return new DataLoader<WaterBalanceKey, WaterBalanceTotals, string>(
    async (keys) => {
      const byRange = new Map<string, WaterBalanceKey[]>();
      for (const key of keys) {
        const group = byRange.get(rangeKey(key.range)) ?? [];
        group.push(key);
        byRange.set(rangeKey(key.range), group);
      }
      const totals = new Map<string, WaterBalanceTotals>();
      for (const [range, group] of byRange) {
        const result = await readTotals({
          connection: models.WaterConsumptionObserved.db,
          series: WATER_CONSUMPTION_ROLLUPS,
          scope: 'district',
          keys: [...new Set(group.map((k) => k.district))],
          range: group[0]?.range,
          ...(rollups ? { rawRetentionDays: rollups.rawRetentionDays } : {}),
        });
        for (const [district, t] of result.totals)
          totals.set(`${district}|${range}`, {
            district,
            ...waterVolumes(t),
          });
      }
      return keys.map(
        (key) =>
          totals.get(`${key.district}|${rangeKey(key.range)}`) ?? {
            district: key.district,
            inflow: 0,
            consumption: 0,
            readingCount: 0,
          },
      );
    },
    { cacheKeyFn: (key) => `${key.district}|${rangeKey(key.range)}` },
  );
}
