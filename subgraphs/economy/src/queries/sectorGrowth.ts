/** Economy's sector-growth aggregation over the market indicators. */
import { districtFilter } from '../../../../lib/subgraph-kit/districts.js';
import {
  timeRangeFilter,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EconomyModels } from '../models/index.js';
import type { NafSection } from '../naf.js';

/** One district × sector row of {@link sectorGrowth}. */
export interface SectorGrowthRow {
  _id: { district: string; sector: NafSection };
  openings: number;
  closures: number;
  netChange: number;
}

/** Openings and closures per district and sector over the range, best net change first. */
export function sectorGrowth(
  models: EconomyModels,
  options: {
    district?: string | null | undefined;
    sector?: NafSection | null | undefined;
    range?: TimeRange | null | undefined;
    limit: number;
  },
): Promise<SectorGrowthRow[]> {
  return models.MarketIndicator.aggregate<SectorGrowthRow>([
    {
      $match: {
        ...districtFilter(options.district),
        ...timeRangeFilter('periodStart', options.range),
      },
    },
    { $unwind: '$sectorFlows' },
    ...(options.sector
      ? [{ $match: { 'sectorFlows.sector': options.sector } }]
      : []),
    {
      $group: {
        _id: { district: '$district', sector: '$sectorFlows.sector' },
        openings: { $sum: '$sectorFlows.openings' },
        closures: { $sum: '$sectorFlows.closures' },
      },
    },
    {
      $project: {
        openings: 1,
        closures: 1,
        netChange: { $subtract: ['$openings', '$closures'] },
      },
    },
    { $sort: { netChange: -1, '_id.district': 1, '_id.sector': 1 } },
    { $limit: options.limit },
  ]).exec();
}
