/** Loader: the number of businesses of each district. */
import DataLoader from 'dataloader';
import type { EconomyModels } from '../models/index.js';

/** Businesses per district (0 if none), one aggregation per batch of districts. */
export function businessCountByDistrict(models: EconomyModels) {
  return new DataLoader<string, number>(async (codes) => {
    const rows = await models.Business.aggregate<{ _id: string; n: number }>([
      // A closed business no longer counts (closeBusiness, docs/workflows.md).
      { $match: { district: { $in: [...codes] }, status: { $ne: 'CLOSED' } } },
      { $group: { _id: '$district', n: { $sum: 1 } } },
    ]).exec();
    const byDistrict = new Map(rows.map((row) => [row._id, row.n]));
    return codes.map((code) => byDistrict.get(code) ?? 0);
  });
}
