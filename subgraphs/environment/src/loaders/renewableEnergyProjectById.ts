/** Loader: renewable-energy projects by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  RenewableEnergyProjectDoc,
} from '../models/index.js';

/** renewable-energy projects by id. One query per batch. */
export function renewableEnergyProjectById(models: EnvironmentModels) {
  return createByIdLoader<RenewableEnergyProjectDoc>(
    models.RenewableEnergyProject,
  );
}
