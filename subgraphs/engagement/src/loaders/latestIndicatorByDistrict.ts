/** Loader: the latest digital-inclusion indicator of each district. */
import DataLoader from 'dataloader';
import type {
  DigitalInclusionIndicatorDoc,
  EngagementModels,
} from '../models/index.js';

/** The newest indicator of each district (null if none), one aggregation per batch. */
export function latestIndicatorByDistrict(models: EngagementModels) {
  return new DataLoader<string, DigitalInclusionIndicatorDoc | null>(
    async (codes) => {
      const rows = await models.DigitalInclusionIndicator.aggregate<{
        _id: string;
        indicator: DigitalInclusionIndicatorDoc;
      }>([
        { $match: { district: { $in: [...codes] } } },
        { $sort: { observedAt: -1 } },
        { $group: { _id: '$district', indicator: { $first: '$$ROOT' } } },
      ]).exec();
      const byDistrict = new Map(rows.map((row) => [row._id, row.indicator]));
      return codes.map((code) => byDistrict.get(code) ?? null);
    },
  );
}
