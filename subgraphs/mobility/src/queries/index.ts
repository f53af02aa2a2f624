/**
 * Mobility's query module: every read and write of its resolvers that is not
 * a per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md).
 */
import { pipelineDataQuality } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { replayQuarantined } from '../../../../lib/ingest/replayQuarantined.js';
import type { QueryFilter } from 'mongoose';
import { createIdempotencyStore } from '../../../../lib/subgraph-kit/idempotency.js';
import { atVersion } from '../../../../lib/subgraph-kit/versioning.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import {
  recordingEvents,
  settlePendingEvents,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import {
  pageQuery,
  timeSeriesQuery,
} from '../../../../lib/subgraph-kit/pageQueries.js';
import type {
  MobilityModels,
  TrafficLightDoc,
  TransitLineDoc,
} from '../models/index.js';

/** Binds mobility's queries to its models. */
export function createQueries(models: MobilityModels, ingest?: IngestPipeline) {
  return {
    /** The data-quality view of its ingestion (lib/ingest/dataQuality.ts). */
    dataQuality: pipelineDataQuality('mobility', ingest),
    /** A page of the ingestion quarantine, by id. */
    quarantine: pageQuery(models.QuarantinedRecord),
    /** Replays quarantined records through the ingestion pipeline (lib/ingest/replayQuarantined.ts). */
    replayQuarantine: (ids: readonly string[]) => {
      if (!ingest) throw new Error('mobility serves no ingestion pipeline');
      return replayQuarantined(
        { collection: models.QuarantinedRecord.collection, pipeline: ingest },
        ids,
      );
    },
    /** A page of traffic sensors, by `_id`. */
    trafficSensors: pageQuery(models.TrafficSensor),
    /** A page of traffic readings, newest first, within the range. */
    trafficReadings: timeSeriesQuery(models.TrafficFlowReading),
    /** A page of traffic lights, by `_id`. */
    trafficLights: pageQuery(models.TrafficLight),
    /** The traffic light with this id as stored now (not batched: a mutation reads it fresh), or null. */
    trafficLight: (id: string) =>
      models.TrafficLight.findById(id).lean().exec(),
    /**
     * Replaces a light's signal plan, recording `events` on the light in the
     * same write (lib/subgraph-kit/pendingEvents.ts); the light after the
     * change, or null if it is gone.
     */
    setSignalPlan: (
      id: string,
      signalPlan: TrafficLightDoc['signalPlan'],
      events: readonly CityEvent[],
    ) =>
      models.TrafficLight.findByIdAndUpdate(
        id,
        recordingEvents({ $set: { signalPlan } }, events),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /**
     * Moves a light from status `from` at `version` (lib/subgraph-kit/versioning.ts);
     * null when it is no longer there, so of two concurrent changes one wins.
     */
    transitionTrafficLight: (
      id: string,
      from: TrafficLightDoc['status'],
      version: number,
      set: Partial<TrafficLightDoc>,
      events: readonly CityEvent[],
    ) =>
      models.TrafficLight.findOneAndUpdate(
        { _id: id, status: from, ...atVersion(version) },
        // The transition and its event in one write (pendingEvents.ts).
        recordingEvents({ $set: { ...set, version: version + 1 } }, events),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** Where mobility's workflow mutations remember their idempotency keys. */
    idempotency: createIdempotencyStore(models.IdempotencyRecord.collection),
    /** Clears a light's events once the outbox has them. */
    settleTrafficLightEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.TrafficLight, id, eventIds),
    /** Every traffic light matching the filter (a district or all: 4 per district), by `_id`. */
    trafficLightsWhere: (filter: QueryFilter<TrafficLightDoc>) =>
      models.TrafficLight.find(filter).sort({ _id: 1 }).lean().exec(),
    /** The readings of these sensors with `from < observedAt <= to` (index `{ device.id, observedAt }`). */
    trafficReadingsOfSensors: (
      sensorIds: readonly string[],
      from: Date,
      to: Date,
    ) =>
      sensorIds.length === 0
        ? Promise.resolve([])
        : models.TrafficFlowReading.find({
            'device.id': { $in: [...sensorIds] },
            observedAt: { $gt: from, $lte: to },
          })
            .lean()
            .exec(),
    /** Every transit line (optionally of one mode), by `_id`. */
    transitLines: (filter: QueryFilter<TransitLineDoc>) =>
      models.TransitLine.find(filter).sort({ _id: 1 }).lean().exec(),
    /** A district's readings with `from < observedAt <= to` (a sliding window; bounded by its length). */
    trafficReadingsInWindow: (district: string, from: Date, to: Date) =>
      models.TrafficFlowReading.find({
        'device.district': district,
        observedAt: { $gt: from, $lte: to },
      })
        // What the window's rule reads (congestionWindow.ts WindowReading): the
        // live analysis reads every window of every district a batch touches.
        .select({
          _id: 1,
          'device.id': 1,
          observedAt: 1,
          occupancy: 1,
          averageSpeed: 1,
          congested: 1,
        })
        .lean()
        .exec(),
    /** When the district's newest reading was observed, or null. */
    newestTrafficReadingAt: async (district: string) =>
      (
        await models.TrafficFlowReading.findOne({ 'device.district': district })
          .sort({ observedAt: -1 })
          .select({ observedAt: 1 })
          .lean()
          .exec()
      )?.observedAt ?? null,
    /** A page of bike stations, by `_id`. */
    bikeStations: pageQuery(models.BikeStation),
  };
}

/** Mobility's queries. */
export type MobilityQueries = ReturnType<typeof createQueries>;
