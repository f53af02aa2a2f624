/**
 * Mobility ingests FIWARE Device status reports of its traffic lights: the
 * entity is the light itself (`urn:ngsi-ld:Device:mob-tl-...`), its
 * `deviceState` mapped onto the light's status. Only the current state is
 * kept: a report replaces it when newer than the status held.
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type { ObservationSpec } from '../../../../lib/ingest/observationSpec.js';
import { storeDeviceStates } from '../../../../lib/ingest/storeObservations.js';
import type { MobilityModels } from '../models/index.js';

/** What mobility accepts as Device (traffic lights). */
export const deviceSpec: ObservationSpec = {
  type: 'Device',
  deviceType: 'TrafficLight',
  deviceAttributes: ['@id'],
  timeAttributes: ['dateLastValueReported', 'dateObserved', 'dateModified'],
  quantities: [
    {
      field: 'batteryLevel',
      attributes: ['batteryLevel'],
      dimension: 'ratio',
      defaultUnit: 'C62',
      possible: [0, 1],
      plausible: [0, 1],
    },
  ],
  texts: [
    {
      field: 'status',
      attributes: ['deviceState', 'status'],
      values: {
        ok: 'OPERATIONAL',
        on: 'OPERATIONAL',
        operational: 'OPERATIONAL',
        working: 'OPERATIONAL',
        fault: 'FAULT',
        failure: 'FAULT',
        error: 'FAULT',
        broken: 'FAULT',
        off: 'FAULT',
        maintenance: 'MAINTENANCE',
        repair: 'MAINTENANCE',
      },
    },
  ],
  staleAfterMs: 24 * 3_600_000,
  // A light reports its status on each change and at least once a day.
  reportingIntervalMs: 24 * 3_600_000,
};

/** The Device handler over mobility's traffic lights. */
export function deviceHandler(models: MobilityModels): ObservationHandler {
  return {
    spec: deviceSpec,
    countDevices: deviceCounter(
      models.TrafficLight.collection,
      'statusObservedAt',
    ),
    eventType: 'trafficLight.statusReported',
    async findDevices(ids) {
      const lights = await models.TrafficLight.find({ _id: { $in: ids } })
        .select({ _id: 1, district: 1, location: 1 })
        .lean()
        .exec();
      return new Map(
        lights.map((l) => [
          l._id,
          { id: l._id, district: l.district, location: l.location },
        ]),
      );
    },
    store: (records) =>
      storeDeviceStates(
        {
          devices: models.TrafficLight.collection,
          timeField: 'statusObservedAt',
          toState: (record) => ({
            ...(record.texts['status']
              ? { status: record.texts['status'] }
              : {}),
            statusObservedAt: record.observedAt,
            statusSource: record.source,
          }),
        },
        records,
      ),
  };
}
