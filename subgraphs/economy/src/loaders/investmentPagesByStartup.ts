/** Loader: pages of each startup's funding rounds, newest first. */
import { createParentPages } from '../../../../lib/subgraph-kit/parentPages.js';
import type { EconomyModels, InvestmentDoc } from '../models/index.js';

/** One aggregation per batch of startups asking for the same page. */
export function investmentPagesByStartup(models: EconomyModels) {
  return createParentPages<InvestmentDoc>(models.Investment, {
    keyField: 'startupId',
    sortField: 'date',
    direction: -1,
  });
}
