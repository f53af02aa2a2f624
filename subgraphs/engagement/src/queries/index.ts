/**
 * Engagement's query module: every read and write of its resolvers that is
 * not a per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md).
 */
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import {
  recordingEvents,
  settlePendingEvents,
  withPendingEvents,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import { replayQuarantined } from '../../../../lib/ingest/replayQuarantined.js';
import {
  pageQuery,
  timeSeriesQuery,
} from '../../../../lib/subgraph-kit/pageQueries.js';
import type { PageArgs } from '../../../../lib/subgraph-kit/pagination.js';
import type {
  CitizenReportDoc,
  DigitalInclusionIndicatorDoc,
  EngagementModels,
  EnrolmentDoc,
} from '../models/index.js';

/** Binds engagement's queries to its models. */
export function createQueries(
  models: EngagementModels,
  ingest?: IngestPipeline,
) {
  const enrolmentsInOrder = pageQuery(models.Enrolment, {
    sortField: 'enrolledAt',
    direction: 1,
  });
  return {
    /** A page of the ingestion quarantine, by id. */
    quarantine: pageQuery(models.QuarantinedRecord),
    /** Replays quarantined records through the ingestion pipeline (lib/ingest/replayQuarantined.ts). */
    replayQuarantine: (ids: readonly string[]) => {
      if (!ingest) throw new Error('engagement serves no ingestion pipeline');
      return replayQuarantined(
        { collection: models.QuarantinedRecord.collection, pipeline: ingest },
        ids,
      );
    },
    /** A page of workshops, latest start first, within the range. */
    workshops: timeSeriesQuery(models.Workshop, 'startsAt'),
    /** The workshop with this id as stored now (not batched: enrolment reads it fresh), or null. */
    workshop: (id: string) => models.Workshop.findById(id).lean().exec(),
    /**
     * Takes one seat of a workshop if one is left (atomic: capacity holds
     * under concurrency); whether a seat was taken.
     */
    async takeWorkshopSeat(
      id: string,
      capacity: number,
      events: readonly CityEvent[],
    ): Promise<boolean> {
      // The seat and its event in one write (pendingEvents.ts).
      const seat = await models.Workshop.updateOne(
        { _id: id, enrolledCount: { $lt: capacity } },
        recordingEvents({ $inc: { enrolledCount: 1 } }, events),
      ).exec();
      return seat.modifiedCount === 1;
    },
    /** Every training programme, by start date. */
    trainingPrograms: () =>
      models.TrainingProgram.find({})
        .sort({ startsOn: 1, _id: 1 })
        .lean()
        .exec(),
    /** A page of citizen reports, newest first, within the range. */
    citizenReports: timeSeriesQuery(models.CitizenReport, 'requestedDatetime'),
    /** Stores a new citizen report; answers it as stored (its description masked). */
    async insertCitizenReport(
      doc: CitizenReportDoc,
      events: readonly CityEvent[],
    ): Promise<CitizenReportDoc> {
      // The report and its event in one insert (pendingEvents.ts).
      const created = await models.CitizenReport.create(
        withPendingEvents(doc, events),
      );
      return created.toObject();
    },
    /** A page of surveys, latest opening first. */
    surveys: pageQuery(models.Survey, { sortField: 'opensAt', direction: -1 }),
    /** A page of a workshop's enrolments, in enrolment order. */
    enrolmentsOfWorkshop: (workshopId: string, args: PageArgs) =>
      enrolmentsInOrder({ workshopId }, args),
    /**
     * Stores an enrolment; rejects with MongoDB's E11000 when the participant
     * is already enrolled (the unique index on workshopId and email, created
     * first, refuses it even between two concurrent requests).
     */
    async insertEnrolment(enrolment: EnrolmentDoc): Promise<void> {
      await models.Enrolment.init();
      await models.Enrolment.create(enrolment);
    },
    /** The id of a participant's enrolment in a workshop, or null. */
    async enrolmentIdOf(
      workshopId: string,
      participantEmail: string,
    ): Promise<string | null> {
      const found = await models.Enrolment.findOne(
        { workshopId, participantEmail },
        { _id: 1 },
      )
        .lean()
        .exec();
      return found?._id ?? null;
    },
    /** Removes an enrolment (one that got no seat). */
    /** Clears a report's events once the outbox has them. */
    settleCitizenReportEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.CitizenReport, id, eventIds),
    /** Clears a workshop's events once the outbox has them. */
    settleWorkshopEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.Workshop, id, eventIds),
    async deleteEnrolment(id: string): Promise<void> {
      await models.Enrolment.deleteOne({ _id: id }).exec();
    },
    /** A page of digital-inclusion indicators, newest first, within the range. */
    digitalInclusionIndicators: timeSeriesQuery(
      models.DigitalInclusionIndicator,
    ),
    /** The most recent digital-inclusion indicator of any district, or null. */
    latestDigitalInclusionIndicator: () =>
      models.DigitalInclusionIndicator.findOne({})
        .sort({ observedAt: -1 })
        .lean<DigitalInclusionIndicatorDoc>()
        .exec(),
    /** Every district's digital-inclusion indicator of one month (`YYYY-MM`). */
    digitalInclusionIndicatorsOfPeriod: (period: string) =>
      models.DigitalInclusionIndicator.find({ period })
        .lean<DigitalInclusionIndicatorDoc[]>()
        .exec(),
  };
}

/** Engagement's queries. */
export type EngagementQueries = ReturnType<typeof createQueries>;
