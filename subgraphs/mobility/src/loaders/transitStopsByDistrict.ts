/** Loader: the transit stops of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TransitStopDoc } from '../models/index.js';

/** the transit stops of each district. One query per batch of districts. */
export function transitStopsByDistrict(models: MobilityModels) {
  return createGroupLoader<string, TransitStopDoc>(
    (codes) =>
      models.TransitStop.find({ district: { $in: [...codes] } })
        .sort({ _id: 1 })
        .lean<TransitStopDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
