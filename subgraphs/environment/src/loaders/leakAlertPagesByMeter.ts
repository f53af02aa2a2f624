/** Loader: pages of each water meter's leak alerts, newest first. */
import { createParentPages } from '../../../../lib/subgraph-kit/parentPages.js';
import type { EnvironmentModels, WaterLeakAlertDoc } from '../models/index.js';

/** One aggregation per batch of meters asking for the same page (and status); `_id` breaks ties. */
export function leakAlertPagesByMeter(models: EnvironmentModels) {
  return createParentPages<WaterLeakAlertDoc>(models.WaterLeakAlert, {
    keyField: 'meterId',
    sortField: 'detectedAt',
    direction: -1,
  });
}
