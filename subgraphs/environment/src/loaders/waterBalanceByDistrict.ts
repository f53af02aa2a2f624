/** Loader: the water balance of each district over a time range. */
import DataLoader from 'dataloader';
import {
  timeRangeFilter,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
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
 * Water balances, one aggregation per distinct range in a batch (a query
 * usually asks every district for the same range: one aggregation in all).
 * The range is validated before anything is read.
 */
export function waterBalanceByDistrict(models: EnvironmentModels) {
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
        const filter = timeRangeFilter('observedAt', group[0]?.range);
        const rows = await models.WaterConsumptionObserved.aggregate<{
          _id: { district: string; role: string };
          total: number;
          count: number;
        }>([
          {
            $match: {
              ...filter,
              'device.district': {
                $in: [...new Set(group.map((k) => k.district))],
              },
            },
          },
          {
            $group: {
              _id: { district: '$device.district', role: '$role' },
              total: { $sum: '$consumption' },
              count: { $sum: 1 },
            },
          },
        ]).exec();
        for (const key of group) {
          totals.set(`${key.district}|${range}`, {
            district: key.district,
            inflow: 0,
            consumption: 0,
            readingCount: 0,
          });
        }
        for (const row of rows) {
          const entry = totals.get(`${row._id.district}|${range}`);
          if (!entry) continue;
          if (row._id.role === 'INFLOW') entry.inflow += row.total;
          else entry.consumption += row.total;
          entry.readingCount += row.count;
        }
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
