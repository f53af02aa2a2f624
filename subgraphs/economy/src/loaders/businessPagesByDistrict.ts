/** Loader: pages of each district's businesses, by id. */
import { createParentPages } from '../../../../lib/subgraph-kit/parentPages.js';
import type { BusinessDoc, EconomyModels } from '../models/index.js';

/** One aggregation per batch of districts asking for the same page (and sector). */
export function businessPagesByDistrict(models: EconomyModels) {
  return createParentPages<BusinessDoc>(models.Business, {
    keyField: 'district',
  });
}
