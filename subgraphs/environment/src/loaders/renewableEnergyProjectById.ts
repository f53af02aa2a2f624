/** Loader: renewable-energy projects by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type {
  EnvironmentModels,
  RenewableEnergyProjectDoc,
} from '../models/index.js';

/** renewable-energy projects by id. One query per batch. */
export function renewableEnergyProjectById(models: EnvironmentModels) {
  return createByKeyLoader<string, RenewableEnergyProjectDoc>(
    (ids) =>
      models.RenewableEnergyProject.find({ _id: { $in: [...ids] } })
        .lean<RenewableEnergyProjectDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
