/** Economy's per-request loaders ([DL]: created once per request, never shared between viewers). */
import type { EconomyModels } from '../models/index.js';
import { businessById } from './businessById.js';
import { businessPagesByDistrict } from './businessPagesByDistrict.js';
import { innovationHubById } from './innovationHubById.js';
import { innovationHubsByDistrict } from './innovationHubsByDistrict.js';
import { investmentPagesByStartup } from './investmentPagesByStartup.js';
import { marketIndicatorPagesByDistrict } from './marketIndicatorPagesByDistrict.js';
import { sectorBreakdownByDistrict } from './sectorBreakdownByDistrict.js';
import { startupById } from './startupById.js';
import { startupsByHub } from './startupsByHub.js';
import { totalRaisedByStartup } from './totalRaisedByStartup.js';

/** Creates a fresh set of loaders for one request. */
export function createLoaders(models: EconomyModels) {
  return {
    businessById: businessById(models),
    businessPagesByDistrict: businessPagesByDistrict(models),
    investmentPagesByStartup: investmentPagesByStartup(models),
    marketIndicatorPagesByDistrict: marketIndicatorPagesByDistrict(models),
    sectorBreakdownByDistrict: sectorBreakdownByDistrict(models),
    startupById: startupById(models),
    startupsByHub: startupsByHub(models),
    totalRaisedByStartup: totalRaisedByStartup(models),
    innovationHubById: innovationHubById(models),
    innovationHubsByDistrict: innovationHubsByDistrict(models),
  };
}

/** Economy's loaders. */
export type EconomyLoaders = ReturnType<typeof createLoaders>;
