/** Loader: pages of each air-quality station's AirQualityObserved series, newest first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type {
  EnvironmentModels,
  AirQualityObservedDoc,
} from '../models/index.js';

/** One aggregation per batch of parents asking for the same page. */
export function airQualityPagesByStation(models: EnvironmentModels) {
  return createTimeSeriesPages<AirQualityObservedDoc>(
    models.AirQualityObserved,
    'device.id',
  );
}
