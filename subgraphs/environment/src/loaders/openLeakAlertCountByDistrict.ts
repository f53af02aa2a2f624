/** Loader: how many leak alerts are still OPEN in each district. */
import DataLoader from 'dataloader';
import type { EnvironmentModels } from '../models/index.js';

/** The number of OPEN leak alerts of each district, one aggregation per batch. */
export function openLeakAlertCountByDistrict(models: EnvironmentModels) {
  return new DataLoader<string, number>(async (codes) => {
    const rows = await models.WaterLeakAlert.aggregate<{
      _id: string;
      count: number;
    }>([
      { $match: { status: 'OPEN', district: { $in: [...codes] } } },
      { $group: { _id: '$district', count: { $sum: 1 } } },
    ]).exec();
    const byDistrict = new Map(rows.map((row) => [row._id, row.count]));
    return codes.map((code) => byDistrict.get(code) ?? 0);
  });
}
