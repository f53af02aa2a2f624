/** Loader: pages of each station's NoiseLevelObserved series, newest first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type {
  EnvironmentModels,
  NoiseLevelObservedDoc,
} from '../models/index.js';

/** One aggregation per batch of parents asking for the same page. */
export function noiseLevelPagesByStation(models: EnvironmentModels) {
  return createTimeSeriesPages<NoiseLevelObservedDoc>(
    models.NoiseLevelObserved,
    'device.id',
  );
}
