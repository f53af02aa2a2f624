/** Loader: the businesses of each district counted per NAF section. */
import DataLoader from 'dataloader';
import type { EconomyModels } from '../models/index.js';
import type { NafSection } from '../naf.js';

/** One sector's count in a district. */
export interface SectorCountRow {
  sector: NafSection;
  businessCount: number;
}

/**
 * Per district, the business count of each sector present, largest first
 * (ties by section letter): one aggregation per batch of districts.
 */
export function sectorBreakdownByDistrict(models: EconomyModels) {
  return new DataLoader<string, SectorCountRow[]>(async (codes) => {
    const rows = await models.Business.aggregate<{
      _id: { district: string; sector: NafSection };
      n: number;
    }>([
      // A closed business no longer counts (closeBusiness, docs/workflows.md).
      { $match: { district: { $in: [...codes] }, status: { $ne: 'CLOSED' } } },
      {
        $group: {
          _id: { district: '$district', sector: '$sector' },
          n: { $sum: 1 },
        },
      },
    ]).exec();
    const groups = new Map<string, SectorCountRow[]>(
      codes.map((code) => [code, []]),
    );
    for (const row of rows) {
      groups
        .get(row._id.district)
        ?.push({ sector: row._id.sector, businessCount: row.n });
    }
    return codes.map((code) =>
      (groups.get(code) ?? []).sort(
        (a, b) =>
          b.businessCount - a.businessCount || a.sector.localeCompare(b.sector),
      ),
    );
  });
}
