/** Loader: the total amount each startup raised. */
import DataLoader from 'dataloader';
import type { EconomyModels } from '../models/index.js';

/** Sum of the startup's investment amounts in EUR (0 if none), one aggregation per batch. */
export function totalRaisedByStartup(models: EconomyModels) {
  return new DataLoader<string, number>(async (startupIds) => {
    const rows = await models.Investment.aggregate<{
      _id: string;
      total: number;
    }>([
      { $match: { startupId: { $in: [...startupIds] } } },
      { $group: { _id: '$startupId', total: { $sum: '$amount' } } },
    ]).exec();
    const byStartup = new Map(rows.map((row) => [row._id, row.total]));
    return startupIds.map((id) => byStartup.get(id) ?? 0);
  });
}
