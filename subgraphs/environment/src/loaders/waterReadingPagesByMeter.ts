/** Loader: pages of each water meter's WaterConsumptionObserved series, newest first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type {
  EnvironmentModels,
  WaterConsumptionObservedDoc,
} from '../models/index.js';

/** One aggregation per batch of parents asking for the same page. */
export function waterReadingPagesByMeter(models: EnvironmentModels) {
  return createTimeSeriesPages<WaterConsumptionObservedDoc>(
    models.WaterConsumptionObserved,
    'device.id',
  );
}
