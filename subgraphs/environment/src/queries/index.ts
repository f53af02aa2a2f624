/**
 * Environment's query module: every read and write of its resolvers that is
 * not a per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md).
 */
import { pipelineDataQuality } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import {
  recordingEvents,
  settlePendingEvents,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import { replayQuarantined } from '../../../../lib/ingest/replayQuarantined.js';
import {
  pageQuery,
  timeSeriesQuery,
} from '../../../../lib/subgraph-kit/pageQueries.js';
import { createIdempotencyStore } from '../../../../lib/subgraph-kit/idempotency.js';
import { atVersion } from '../../../../lib/subgraph-kit/versioning.js';
import type { EnvironmentModels, WaterLeakAlertDoc } from '../models/index.js';
import { airQualityRanking } from './airQualityRanking.js';

/** Binds environment's queries to its models. */
export function createQueries(
  models: EnvironmentModels,
  ingest?: IngestPipeline,
) {
  return {
    /** The data-quality view of its ingestion (lib/ingest/dataQuality.ts). */
    dataQuality: pipelineDataQuality('environment', ingest),
    /** A page of the ingestion quarantine, by id. */
    quarantine: pageQuery(models.QuarantinedRecord),
    /** Replays quarantined records through the ingestion pipeline (lib/ingest/replayQuarantined.ts). */
    replayQuarantine: (ids: readonly string[]) => {
      if (!ingest) throw new Error('environment serves no ingestion pipeline');
      return replayQuarantined(
        { collection: models.QuarantinedRecord.collection, pipeline: ingest },
        ids,
      );
    },
    /** A page of air-quality stations, by `_id`. */
    airQualityStations: pageQuery(models.AirQualityStation),
    /** A page of air-quality readings, newest first, within the range. */
    airQualityReadings: timeSeriesQuery(models.AirQualityObserved),
    /** Districts ranked by their average of one pollutant. */
    airQualityRanking: (options: Parameters<typeof airQualityRanking>[1]) =>
      airQualityRanking(models, options),
    /** A page of noise levels, newest first, within the range. */
    noiseLevels: timeSeriesQuery(models.NoiseLevelObserved),
    /** A page of water meters, by `_id`. */
    waterMeters: pageQuery(models.WaterMeter),
    /** A page of water consumption readings, newest first, within the range. */
    waterConsumption: timeSeriesQuery(models.WaterConsumptionObserved),
    /** A page of leak alerts, most recently detected first. */
    waterLeakAlerts: pageQuery(models.WaterLeakAlert, {
      sortField: 'detectedAt',
      direction: -1,
    }),
    /** The leak alert with this id, or null. */
    waterLeakAlert: (id: string) =>
      models.WaterLeakAlert.findById(id).lean().exec(),
    /**
     * Moves an alert from `from` to the state in `set`, only if it is still
     * in `from` at `version` (lib/subgraph-kit/versioning.ts): null when it
     * is not, so of two concurrent changes one wins and the first is never
     * overwritten. The new version is `version + 1`.
     */
    transitionLeakAlert: (
      id: string,
      from: WaterLeakAlertDoc['status'],
      version: number,
      set: Partial<WaterLeakAlertDoc>,
      events: readonly CityEvent[],
    ) =>
      models.WaterLeakAlert.findOneAndUpdate(
        { _id: id, status: from, ...atVersion(version) },
        // The transition and its event in one write (pendingEvents.ts).
        recordingEvents({ $set: { ...set, version: version + 1 } }, events),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** Clears a leak alert's events once the outbox has them. */
    settleLeakAlertEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.WaterLeakAlert, id, eventIds),
    /** Where environment's workflow mutations remember their idempotency keys. */
    idempotency: createIdempotencyStore(models.IdempotencyRecord.collection),
    /** A page of renewable energy projects, by `_id`. */
    renewableEnergyProjects: pageQuery(models.RenewableEnergyProject),
  };
}

/** Environment's queries. */
export type EnvironmentQueries = ReturnType<typeof createQueries>;
