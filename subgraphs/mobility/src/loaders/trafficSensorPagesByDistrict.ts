/** Loader: pages of each district's traffic sensors, by id. */
import { createParentPages } from '../../../../lib/subgraph-kit/parentPages.js';
import type { MobilityModels, TrafficSensorDoc } from '../models/index.js';

/** One aggregation per batch of districts asking for the same page. */
export function trafficSensorPagesByDistrict(models: MobilityModels) {
  return createParentPages<TrafficSensorDoc>(models.TrafficSensor, {
    keyField: 'district',
  });
}
