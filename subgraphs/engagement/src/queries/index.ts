/**
 * Engagement's query module: every read and write of its resolvers that is
 * not a per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md).
 */
import { socialTopics, type SocialTopicsArgs } from './socialTopics.js';
import { pipelineDataQuality } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
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
import { createIdempotencyStore } from '../../../../lib/subgraph-kit/idempotency.js';
import { atVersion } from '../../../../lib/subgraph-kit/versioning.js';
import type {
  CitizenReportDoc,
  DigitalInclusionIndicatorDoc,
  EngagementModels,
  EnrolmentDoc,
  SurveyDoc,
  WorkshopDoc,
} from '../models/index.js';

/** Binds engagement's queries to its models. */
export function createQueries(
  models: EngagementModels,
  ingest?: IngestPipeline,
) {
  return {
    /** The data-quality view of its ingestion (lib/ingest/dataQuality.ts). */
    dataQuality: pipelineDataQuality('engagement', ingest),
    /** Citizens' posts per period, district and service type, with the reports beside them. */
    socialTopics: (args: SocialTopicsArgs) => socialTopics(models, args),
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
        // Never a seat in a cancelled workshop, whatever the race with cancelWorkshop.
        {
          _id: id,
          enrolledCount: { $lt: capacity },
          status: { $ne: 'CANCELLED' },
        },
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
    /** Forgets the kept answers of one account's retried mutations (erasure on request); how many. */
    async forgetRetriesOf(subject: string): Promise<number> {
      const { deletedCount } = await models.IdempotencyRecord.deleteMany({
        subject,
      }).exec();
      return deletedCount;
    },
    /** Where engagement's workflow mutations remember their idempotency keys. */
    idempotency: createIdempotencyStore(models.IdempotencyRecord.collection),
    /** The citizen report with this id as stored now, or null. */
    citizenReport: (id: string) =>
      models.CitizenReport.findById(id).lean().exec(),
    /** Changes a report still in status `from` at `version`; null when it no longer is. */
    changeCitizenReport: (
      id: string,
      from: CitizenReportDoc['status'],
      version: number,
      set: Partial<CitizenReportDoc>,
      events: readonly CityEvent[],
    ) =>
      models.CitizenReport.findOneAndUpdate(
        { _id: id, status: from, ...atVersion(version) },
        // The change and its event in one write (pendingEvents.ts).
        recordingEvents({ $set: { ...set, version: version + 1 } }, events),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** Stores a new workshop (validated by the model). */
    async insertWorkshop(
      doc: WorkshopDoc,
      events: readonly CityEvent[],
    ): Promise<WorkshopDoc> {
      // The workshop and its event in one insert (pendingEvents.ts).
      const created = await models.Workshop.create(
        withPendingEvents(doc, events),
      );
      return created.toObject();
    },
    /** The training programme with this id, or null. */
    trainingProgram: (id: string) =>
      models.TrainingProgram.findById(id).lean().exec(),
    /**
     * Cancels a workshop still SCHEDULED (or stored without a status) at
     * `version` that has not started at `now`; null when it no longer is.
     */
    cancelScheduledWorkshop: (
      id: string,
      version: number,
      now: Date,
      set: Partial<WorkshopDoc>,
      events: readonly CityEvent[],
    ) =>
      models.Workshop.findOneAndUpdate(
        {
          _id: id,
          status: { $in: ['SCHEDULED', null] },
          startsAt: { $gt: now },
          ...atVersion(version),
        },
        recordingEvents(
          { $set: { ...set, status: 'CANCELLED', version: version + 1 } },
          events,
        ),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** The enrolment with this id, or null. */
    enrolment: (id: string) => models.Enrolment.findById(id).lean().exec(),
    /** Records an enrolment's attendance if it is still `from` at `version`; null otherwise. */
    recordAttendance: (
      id: string,
      from: NonNullable<EnrolmentDoc['attendance']>,
      version: number,
      set: Partial<EnrolmentDoc>,
      events: readonly CityEvent[],
    ) =>
      models.Enrolment.findOneAndUpdate(
        {
          _id: id,
          attendance: from === 'PENDING' ? { $in: ['PENDING', null] } : from,
          ...atVersion(version),
        },
        recordingEvents({ $set: { ...set, version: version + 1 } }, events),
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** Clears an enrolment's events once the outbox has them. */
    settleEnrolmentEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.Enrolment, id, eventIds),
    /** The survey with this id as stored now, or null. */
    survey: (id: string) => models.Survey.findById(id).lean().exec(),
    /**
     * Adds one response to a survey's aggregates, in one atomic write: only
     * while it is open at `now` and `respondentKey` has not answered. The
     * survey after it, or null when it was closed or already answered.
     */
    addSurveyResponse: (
      id: string,
      respondentKey: string,
      now: Date,
      increments: Record<string, number>,
      events: readonly CityEvent[],
    ) =>
      models.Survey.findOneAndUpdate(
        {
          _id: id,
          opensAt: { $lte: now },
          closesAt: { $gt: now },
          respondentKeys: { $ne: respondentKey },
        },
        // The answer, who gave it and its event in one write (pendingEvents.ts).
        recordingEvents(
          {
            $inc: { ...increments, responseCount: 1 },
            $push: { respondentKeys: respondentKey },
          },
          events,
        ),
        { returnDocument: 'after' },
      )
        .lean<SurveyDoc>()
        .exec(),
    /** Clears a survey's events once the outbox has them. */
    settleSurveyEvents: (id: string, eventIds: readonly string[]) =>
      settlePendingEvents(models.Survey, id, eventIds),
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
