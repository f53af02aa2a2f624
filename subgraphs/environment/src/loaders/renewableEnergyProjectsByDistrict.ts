/** Loader: the renewable-energy projects of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  RenewableEnergyProjectDoc,
} from '../models/index.js';

/** the renewable-energy projects of each district. One query per batch of keys. */
export function renewableEnergyProjectsByDistrict(models: EnvironmentModels) {
  return createGroupByFieldLoader<RenewableEnergyProjectDoc>(
    models.RenewableEnergyProject,
    'district',
  );
}
