/**
 * Economy's query module: every read and write of its resolvers that is not
 * a per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md).
 */
import { pipelineDataQuality } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { createIdempotencyStore } from '../../../../lib/subgraph-kit/idempotency.js';
import { atVersion } from '../../../../lib/subgraph-kit/versioning.js';
import type { QueryFilter } from 'mongoose';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import {
  recordingEvents,
  settlePendingEvents,
  withPendingEvents,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import {
  pageQuery,
  timeSeriesQuery,
} from '../../../../lib/subgraph-kit/pageQueries.js';
import type {
  BusinessDoc,
  EconomyModels,
  InnovationHubDoc,
} from '../models/index.js';
import { sectorGrowth } from './sectorGrowth.js';

/** Binds economy's queries to its models. */
export function createQueries(models: EconomyModels, ingest?: IngestPipeline) {
  return {
    /** The data-quality view of its ingestion (lib/ingest/dataQuality.ts). */
    dataQuality: pipelineDataQuality('economy', ingest),
    /** The business with this id, or null. */
    business: (id: string) => models.Business.findById(id).lean().exec(),
    /**
     * Changes a business in status `from` at `version` (a missing status is
     * ACTIVE); null when it is no longer there, so of two concurrent changes one wins.
     */
    changeBusiness: (
      id: string,
      from: 'ACTIVE' | 'CLOSED',
      version: number,
      set: Partial<BusinessDoc>,
      events: readonly CityEvent[],
    ) =>
      models.Business.findOneAndUpdate(
        {
          _id: id,
          status: from === 'ACTIVE' ? { $in: ['ACTIVE', null] } : from,
          ...atVersion(version),
        },
        // The change and its event in one write (pendingEvents.ts).
        recordingEvents({ $set: { ...set, version: version + 1 } }, events),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** Where economy's workflow mutations remember their idempotency keys. */
    idempotency: createIdempotencyStore(models.IdempotencyRecord.collection),
    /** A page of businesses, by `_id`. */
    businesses: pageQuery(models.Business),
    /** The business with this SIRET, or null. */
    businessByRegistryNumber: (registryNumber: string) =>
      models.Business.findOne({ registryNumber }).lean().exec(),
    /** How many businesses a district has (the next registration number is one more). */
    async businessCountInDistrict(district: string): Promise<number> {
      // The unique index on registryNumber must exist before an insert relies on it.
      await models.Business.init();
      return models.Business.countDocuments({ district }).exec();
    },
    /** Inserts a business; rejects with MongoDB's E11000 on a taken id or SIRET. */
    insertBusiness: async (
      doc: BusinessDoc,
      events: readonly CityEvent[],
    ): Promise<BusinessDoc> =>
      (await models.Business.create(withPendingEvents(doc, events))).toObject(),
    /** Clears a business's events once the outbox has them. */
    settleBusinessEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.Business, id, eventIds),
    /** A page of startups, by `_id`. */
    startups: pageQuery(models.Startup),
    /** Innovation hubs (at most 100), by `_id`. */
    innovationHubs: (filter: QueryFilter<InnovationHubDoc>) =>
      models.InnovationHub.find(filter)
        .sort({ _id: 1 })
        .limit(100)
        .lean()
        .exec(),
    /** A page of investments, newest first, within the range. */
    investments: timeSeriesQuery(models.Investment, 'date'),
    /** A page of market indicators, newest period first, within the range. */
    marketIndicators: timeSeriesQuery(models.MarketIndicator, 'periodStart'),
    /** Openings and closures per district and sector, best net change first. */
    sectorGrowth: (options: Parameters<typeof sectorGrowth>[1]) =>
      sectorGrowth(models, options),
  };
}

/** Economy's queries. */
export type EconomyQueries = ReturnType<typeof createQueries>;
