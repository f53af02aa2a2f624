/**
 * Mobility ingests FIWARE BikeHireDockingStation as a status report of a
 * levélo station: the entity is the station itself
 * (`urn:ngsi-ld:BikeHireDockingStation:<graph id>`), reporting its bikes and
 * free slots. Only the current state is kept (no history): a report replaces
 * it when newer.
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type { ObservationSpec } from '../../../../lib/ingest/observationSpec.js';
import { storeDeviceStates } from '../../../../lib/ingest/storeObservations.js';
import type { MobilityModels } from '../models/index.js';

/** What mobility accepts as BikeHireDockingStation. */
export const bikeHireDockingStationSpec: ObservationSpec = {
  type: 'BikeHireDockingStation',
  deviceType: 'BikeStation',
  deviceAttributes: ['@id'],
  timeAttributes: ['dateObserved', 'observationDate', 'dateModified'],
  quantities: [
    {
      field: 'availableBikes',
      attributes: ['availableBikeNumber'],
      dimension: 'count',
      defaultUnit: 'H87',
      integer: true,
      possible: [0, 100],
      plausible: [0, 100],
    },
    {
      field: 'freeSlots',
      attributes: ['freeSlotNumber'],
      dimension: 'count',
      defaultUnit: 'H87',
      integer: true,
      possible: [0, 100],
      plausible: [0, 100],
    },
  ],
  texts: [{ field: 'status', attributes: ['status'] }],
  // Stations report every few minutes.
  staleAfterMs: 30 * 60_000,
  // The city expects a report every 10 minutes (three missed: stale).
  reportingIntervalMs: 10 * 60_000,
};

/** The BikeHireDockingStation handler over mobility's models. */
export function bikeHireDockingStationHandler(
  models: MobilityModels,
): ObservationHandler {
  return {
    spec: bikeHireDockingStationSpec,
    countDevices: deviceCounter(models.BikeStation.collection, 'observedAt'),
    eventType: 'bikeStation.statusChanged',
    async findDevices(ids) {
      const stations = await models.BikeStation.find({ _id: { $in: ids } })
        .select({ _id: 1, district: 1, location: 1, capacity: 1 })
        .lean()
        .exec();
      return new Map(
        stations.map((s) => [
          s._id,
          {
            id: s._id,
            district: s.district,
            location: s.location,
            limits: { availableBikes: s.capacity, freeSlots: s.capacity },
          },
        ]),
      );
    },
    store: (records) =>
      storeDeviceStates(
        {
          devices: models.BikeStation.collection,
          timeField: 'observedAt',
          toState: (record) => {
            const available = record.values['availableBikes'];
            return {
              ...(available === null || available === undefined
                ? {}
                : { availableBikes: available }),
              observedAt: record.observedAt,
              source: record.source,
              receivedAt: record.receivedAt,
              quality: record.quality,
            };
          },
        },
        records,
      ),
  };
}
