/** Loader: the renewable-energy projects of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type {
  EnvironmentModels,
  RenewableEnergyProjectDoc,
} from '../models/index.js';

/** the renewable-energy projects of each district. One query per batch of keys. */
export function renewableEnergyProjectsByDistrict(models: EnvironmentModels) {
  return createGroupLoader<string, RenewableEnergyProjectDoc>(
    (keys) =>
      models.RenewableEnergyProject.find({ district: { $in: [...keys] } })
        .sort({ _id: 1 })
        .lean<RenewableEnergyProjectDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
