/** Loader: the latest digital-inclusion indicator of each district. */
import { createLatestByKeyLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  DigitalInclusionIndicatorDoc,
  EngagementModels,
} from '../models/index.js';

/** The newest indicator of each district (null if none), one aggregation per batch. */
export function latestIndicatorByDistrict(models: EngagementModels) {
  return createLatestByKeyLoader<DigitalInclusionIndicatorDoc>(
    models.DigitalInclusionIndicator,
    'district',
    'observedAt',
  );
}
