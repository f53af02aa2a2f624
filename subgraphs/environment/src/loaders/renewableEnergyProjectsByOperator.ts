/** Loader: the renewable-energy projects each business operates. */
import { createGroupLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  RenewableEnergyProjectDoc,
} from '../models/index.js';

/** the renewable-energy projects each business operates. One query per batch of keys. */
export function renewableEnergyProjectsByOperator(models: EnvironmentModels) {
  return createGroupLoader<string, RenewableEnergyProjectDoc>(
    (keys) =>
      models.RenewableEnergyProject.find({ operatorId: { $in: [...keys] } })
        .sort({ _id: 1 })
        .lean<RenewableEnergyProjectDoc[]>()
        .exec(),
    (doc) => doc.operatorId ?? [],
  );
}
