/**
 * Engagement ingests public social-media posts (`SocialMediaPost`, reduced
 * from a Mastodon status at the gateway's door, lib/ingest/socialStatus.ts):
 * checks what the door could not (a text, a date), classifies each post to
 * the city's service types and a district (social/classifyPost.ts), and
 * keeps it once: the same status again is a duplicate, unless it was edited
 * since (`editedAt` later), which replaces it.
 */
import type { Collection } from 'mongodb';
import type {
  EntityHandler,
  IngestedRecord,
} from '../../../../lib/ingest/createIngestPipeline.js';
import {
  graphIdOf,
  textAttribute as text,
  type NgsiEntity,
} from '../../../../lib/ingest/ngsiEntity.js';
import { parseObservationTime } from '../../../../lib/ingest/observationTime.js';
import { qualityOf, type QualityFlag } from '../../../../lib/ingest/quality.js';
import {
  MAX_POST_TEXT,
  SOCIAL_POST_TYPE,
} from '../../../../lib/ingest/socialStatus.js';
import type { EngagementModels, SocialPostDoc } from '../models/index.js';
import { classifyPost } from '../social/classifyPost.js';
import { periodStart } from '../social/periods.js';

/** A validated post, ready to store. */
export interface SocialPostRecord extends IngestedRecord {
  readonly doc: SocialPostDoc;
}

const POST_ID = /^eng-sp-[0-9a-f]{32}$/;
const PSEUDONYM = /^[0-9a-f]{32}$/;
const DAY = 24 * 3_600_000;

type Verdict = ReturnType<EntityHandler<SocialPostRecord>['validate']>;

const reject = (
  reason: Extract<Verdict, { ok: false }>['reason'],
  detail: string,
): Verdict => ({ ok: false, reason, detail });

function location(entity: NgsiEntity): { lat: number; lon: number } | null {
  const value = entity.attributes.get('location')?.value;
  if (typeof value !== 'object' || value === null) return null;
  const { lat, lon } = value as Record<string, unknown>;
  return typeof lat === 'number' &&
    typeof lon === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lon)
    ? { lat, lon }
    : null;
}

/** The social post handler over engagement's models. */
export function socialMediaPostHandler(
  models: EngagementModels,
): EntityHandler<SocialPostRecord> {
  const posts = models.SocialPost
    .collection as unknown as Collection<SocialPostDoc>;
  return {
    types: [SOCIAL_POST_TYPE],
    validate(entity, context) {
      const flags: QualityFlag[] = [];
      const id = graphIdOf(entity.id);
      if (!POST_ID.test(id))
        return reject(
          'MALFORMED_ENTITY',
          `A post's id is eng-sp- and 32 hex digits (given by the social webhook), not "${id.slice(0, 100)}".`,
        );
      const body = text(entity, 'text');
      const spoiler = text(entity, 'spoilerText');
      if (body === null && spoiler === null)
        return reject(
          'NO_CONTENT',
          'The post has no text (its content is missing or empty once HTML is stripped).',
        );
      const postedRaw = text(entity, 'createdAt');
      const posted =
        postedRaw === null ? null : parseObservationTime(postedRaw);
      if (!posted)
        return reject(
          'INVALID_TIME',
          'created_at must be an ISO 8601 date-time.',
        );
      if (posted.zoneAssumed) flags.push('TIMEZONE_ASSUMED');
      const postedAt = posted.observedAt;
      if (
        postedAt.getTime() >
        context.receivedAt.getTime() + context.maxClockSkewMs
      )
        return reject('FUTURE_TIME', 'created_at is in the future.');
      const editedRaw = text(entity, 'editedAt');
      const editedAt =
        editedRaw === null
          ? null
          : (parseObservationTime(editedRaw)?.observedAt ?? null);
      const authorRaw = text(entity, 'author');
      const author =
        authorRaw !== null && PSEUDONYM.test(authorRaw) ? authorRaw : null;
      if (author === null) flags.push('INCOMPLETE');
      const rawTags = entity.attributes.get('tags')?.value;
      const tags = Array.isArray(rawTags)
        ? rawTags.filter((t): t is string => typeof t === 'string').slice(0, 20)
        : [];
      const geotag = location(entity);
      const fullText = [spoiler, body].filter(Boolean).join('\n');
      const classification = classifyPost({
        text: fullText,
        tags,
        location: geotag,
      });
      if (context.receivedAt.getTime() - postedAt.getTime() > DAY)
        flags.push('LATE_ARRIVAL');
      const doc: SocialPostDoc = {
        _id: id,
        author,
        instance: text(entity, 'instance'),
        language: text(entity, 'language'),
        text: (body ?? '').slice(0, MAX_POST_TEXT),
        spoilerText: spoiler,
        tags,
        postedAt,
        editedAt,
        hour: periodStart(postedAt, 'HOUR'),
        day: periodStart(postedAt, 'DAY'),
        week: periodStart(postedAt, 'WEEK'),
        topics: [...classification.topics],
        matchedTerms: [...classification.matchedTerms],
        district: classification.district,
        districtMethod: classification.districtMethod,
        location: geotag,
        source: context.source,
        receivedAt: context.receivedAt,
        quality: qualityOf(flags, 1),
      };
      return {
        ok: true,
        record: { id, entityId: entity.id, quality: doc.quality, doc },
      };
    },

    async store(records) {
      if (records.length === 0) return [];
      const inserted = await posts.bulkWrite(
        records.map(({ doc }) => ({
          updateOne: {
            filter: { _id: doc._id },
            update: { $setOnInsert: doc },
            upsert: true,
          },
        })),
        { ordered: false },
      );
      const created = new Set(
        Object.keys(inserted.upsertedIds).map((index) => Number(index)),
      );
      // An edited status (status.updated, a later editedAt) replaces the
      // version held; the same version again changes nothing.
      const edits = records
        .map((record, index) => ({ record, index }))
        .filter(
          ({ record, index }) => !created.has(index) && record.doc.editedAt,
        );
      const outcomes = records.map((_, index): 'created' | 'duplicate' =>
        created.has(index) ? 'created' : 'duplicate',
      );
      for (const { record, index } of edits) {
        const { _id, ...fields } = record.doc;
        const result = await posts.updateOne(
          {
            _id,
            $or: [
              { editedAt: null },
              { editedAt: { $lt: record.doc.editedAt } },
            ],
          },
          { $set: fields },
        );
        if (result.modifiedCount === 1) outcomes[index] = 'created';
      }
      return outcomes;
    },

    event: (record) => ({
      id: `SocialMediaPost:${record.id}@${(record.doc.editedAt ?? record.doc.postedAt).toISOString()}`,
      department: 'engagement',
      type: 'socialPost.received',
      entity: { type: 'SocialPost', id: record.id },
      ...(record.doc.district === null
        ? {}
        : { district: record.doc.district }),
      occurredAt: record.doc.postedAt,
      payload: { topics: record.doc.topics },
    }),
  };
}
