/**
 * Retention. Of collections kept for a bounded time ({@link ensureTtlIndexes}:
 * TTL indexes made at start, e.g. `ingest_stats` and social posts), and of
 * personal data (GDPR art. 5(1)(e), storage limitation): each
 * personal-data field may declare in its subgraph's schema how long its
 * values are kept, as a tag next to its rule,
 * `@tag(name: "retention:P1Y")` (an ISO 8601 duration, read by
 * lib/records/access `readAccessRules`). This job erases, or replaces with
 * a pseudonym where the stored field cannot be empty, every value older than
 * its period, counted from a date of the record the department names.
 */
import type { Model } from 'mongoose';
import { INGEST_STATS_COLLECTION } from '../ingest/ingestStats.js';
import type { AccessRules } from '../records/access/index.js';
import type { Logger } from '../runtime/logger.js';

/** How one stored field of a type is erased. */
export interface RetainedField {
  /** The stored path, e.g. `descriptionOriginal` for `originalDescription`. */
  readonly path: string;
  /**
   * The value that replaces an expired one: `null` (erased), or a pseudonym
   * computed from the record's id where the field must keep a unique value.
   * @default () => null
   */
  readonly erased?: (id: string) => string | null;
}

/** Where the records of one GraphQL type live, for the job. */
export interface RetainedType {
  // The job only reads ids and writes the retained paths.
  readonly model: Model<never>;
  /** The stored date from which a value's age counts, e.g. `requestedDatetime`. */
  readonly ageField: string;
  /** The type's personal-data fields (GraphQL name → stored path). */
  readonly fields: Readonly<Record<string, RetainedField>>;
  /**
   * The stored path of the account (`sub`) a record is about, e.g. a report's
   * `submittedBy`: erasure on request finds a citizen's records by it.
   */
  readonly subjectPath?: string;
}

/** What one erasure on request did. */
export interface ErasureReport {
  readonly subject: string;
  readonly erasedAt: Date;
  /** Per personal-data coordinate: how many stored values were erased. */
  readonly fields: readonly {
    readonly coordinate: string;
    readonly erased: number;
  }[];
  /** Records of the subject whose personal data was erased, per type. */
  readonly records: readonly {
    readonly type: string;
    readonly count: number;
  }[];
}

/** What one run of the job did. */
export interface RetentionReport {
  readonly ranAt: Date;
  /** Per coordinate with a retention period: the period and how many values it erased. */
  readonly fields: readonly {
    readonly coordinate: string;
    readonly retention: string;
    readonly erased: number;
  }[];
}

/** Options of {@link createRetentionJob}. */
export interface RetentionJobOptions {
  /** The subgraph's own rules (its schema): the periods are read from them. */
  readonly rules: AccessRules;
  /** Per GraphQL type, where its records are. */
  readonly types: Readonly<Record<string, RetainedType>>;
  readonly logger: Logger;
}

/** The retention job of one subgraph. */
export interface RetentionJob {
  /** Erases every value older than its period at `now`. */
  run(now?: Date): Promise<RetentionReport>;
  /**
   * Erases every personal-data value of the records about `subject` (GDPR
   * art. 17), whatever their age, as retention would once expired: erased,
   * or the same pseudonym where the field must keep a value.
   */
  eraseSubject(subject: string, now?: Date): Promise<ErasureReport>;
}

const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * The instant `duration` (ISO 8601, calendar units counted on the calendar)
 * before `now`.
 * @throws Error when `duration` is not an ISO 8601 duration.
 */
export function retentionCutoff(duration: string, now: Date): Date {
  const match = DURATION.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) {
    throw new Error(
      `"${duration}" is not an ISO 8601 duration (e.g. P1Y, P6M, P30D)`,
    );
  }
  const [years, months, weeks, days, hours, minutes, seconds] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - (years ?? 0));
  cutoff.setUTCMonth(cutoff.getUTCMonth() - (months ?? 0));
  cutoff.setUTCDate(cutoff.getUTCDate() - (weeks ?? 0) * 7 - (days ?? 0));
  cutoff.setTime(
    cutoff.getTime() -
      ((hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0)) * 1000,
  );
  return cutoff;
}

/**
 * Builds the job (see the module comment). Every personal-data field with a
 * retention period must be mapped in `types`, so a period declared in the
 * schema is never silently not enforced.
 * @throws Error naming a field whose period has no stored path.
 */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const retained = options.rules.fields.filter((rule) => rule.retention);
  for (const rule of retained) {
    if (!options.types[rule.type]?.fields[rule.field]) {
      throw new Error(
        `${rule.coordinate} declares retention ${rule.retention ?? ''} but the retention job does not know where it is stored`,
      );
    }
  }
  return {
    async run(now = new Date()) {
      const fields: {
        coordinate: string;
        retention: string;
        erased: number;
      }[] = [];
      for (const rule of retained) {
        const type = options.types[rule.type];
        const field = type?.fields[rule.field];
        if (!type || !field || !rule.retention) continue;
        const cutoff = retentionCutoff(rule.retention, now);
        const expired = (await type.model
          .find(
            {
              [type.ageField]: { $lt: cutoff },
              [field.path]: { $ne: null },
            } as never,
            { _id: 1, [field.path]: 1 },
          )
          .lean()
          .exec()) as unknown as ({ _id: string } & Record<string, unknown>)[];
        const erase = field.erased ?? (() => null);
        // An already pseudonymized value is not erased again.
        const pending = expired.filter(
          (doc) => doc[field.path] !== erase(String(doc._id)),
        );
        if (pending.length > 0) {
          await type.model.bulkWrite(
            pending.map((doc) => ({
              updateOne: {
                filter: { _id: doc._id } as never,
                update: {
                  $set: { [field.path]: erase(String(doc._id)) },
                } as never,
              },
            })),
          );
        }
        fields.push({
          coordinate: rule.coordinate,
          retention: rule.retention,
          erased: pending.length,
        });
      }
      const erased = fields.reduce((sum, field) => sum + field.erased, 0);
      if (erased > 0) {
        options.logger.info(
          { erased, fields: fields.filter((field) => field.erased > 0) },
          'retention: expired personal data erased',
        );
      }
      return { ranAt: now, fields };
    },

    async eraseSubject(subject, now = new Date()) {
      const fields: { coordinate: string; erased: number }[] = [];
      const records: { type: string; count: number }[] = [];
      for (const [typeName, type] of Object.entries(options.types)) {
        if (type.subjectPath === undefined) continue;
        const paths = Object.entries(type.fields);
        const docs = (await type.model
          .find({ [type.subjectPath]: subject } as never, {
            _id: 1,
            ...Object.fromEntries(paths.map(([, f]) => [f.path, 1])),
          })
          .lean()
          .exec()) as unknown as ({ _id: string } & Record<string, unknown>)[];
        const counts = new Map<string, number>();
        const writes = docs.flatMap((doc) => {
          const set: Record<string, string | null> = {};
          for (const [name, field] of paths) {
            const erased = (field.erased ?? (() => null))(String(doc._id));
            if (doc[field.path] === undefined || doc[field.path] === erased)
              continue;
            if (doc[field.path] === null) continue;
            set[field.path] = erased;
            const coordinate = `${typeName}.${name}`;
            counts.set(coordinate, (counts.get(coordinate) ?? 0) + 1);
          }
          return Object.keys(set).length === 0
            ? []
            : [
                {
                  updateOne: {
                    filter: { _id: doc._id } as never,
                    update: { $set: set } as never,
                  },
                },
              ];
        });
        if (writes.length > 0) await type.model.bulkWrite(writes);
        records.push({ type: typeName, count: docs.length });
        for (const [coordinate, erased] of counts)
          fields.push({ coordinate, erased });
      }
      options.logger.info(
        { fields, records },
        'erasure: personal data of one subject erased on request',
      );
      return { subject, erasedAt: now, fields, records };
    },
  };
}

/**
 * A collection kept for a bounded time by MongoDB's TTL monitor (and
 * localdb's, every 60 s): its documents are removed once `field`, a date, is
 * more than `expireAfterSeconds` in the past (docs/ingestion.md, "Retention").
 */
export interface TtlIndex {
  /** The collection's name, e.g. `ingest_stats`. */
  readonly collection: string;
  /** The date field the age counts from, e.g. `hour`. */
  readonly field: string;
  readonly expireAfterSeconds: number;
}

/** The part of a driver database {@link ensureTtlIndexes} goes through (`connection.db`). */
export interface TtlDb {
  collection(name: string): {
    listIndexes(): {
      toArray(): Promise<
        { name?: string; key: unknown; expireAfterSeconds?: number }[]
      >;
    };
    createIndex(
      key: Record<string, 1>,
      options: { expireAfterSeconds: number },
    ): Promise<unknown>;
    dropIndex(name: string): Promise<unknown>;
  };
  command(command: object): Promise<unknown>;
}

/** Days as the seconds of `expireAfterSeconds`. */
export function ttlSecondsOfDays(days: number): number {
  return Math.round(days * 86_400);
}

/**
 * Makes each collection's TTL index on its field what the configuration
 * says, at start, before the subgraph serves: created when missing (with the
 * collection), `collMod` when its period changed (logged at info), and a
 * plain index on the same field (a deployment from before the TTL) dropped and
 * made again with it, since neither localdb nor MongoDB before 5.1 can add a
 * TTL to an index in place.
 */
export async function ensureTtlIndexes(
  db: TtlDb,
  indexes: readonly TtlIndex[],
  logger: Logger,
): Promise<void> {
  for (const ttl of indexes) {
    const collection = db.collection(ttl.collection);
    let existing:
      { name?: string; key: unknown; expireAfterSeconds?: number } | undefined;
    try {
      existing = (await collection.listIndexes().toArray()).find(
        (index) => Object.keys(index.key as object).join() === ttl.field,
      );
    } catch (error) {
      // A collection not created yet has no index: createIndex creates it.
      if (Number((error as { code?: unknown }).code) !== 26) throw error;
    }
    const period = { expireAfterSeconds: ttl.expireAfterSeconds };
    if (existing === undefined) {
      await collection.createIndex({ [ttl.field]: 1 }, period);
      continue;
    }
    if (existing.expireAfterSeconds === ttl.expireAfterSeconds) continue;
    if (existing.expireAfterSeconds === undefined) {
      await collection.dropIndex(existing.name ?? `${ttl.field}_1`);
      await collection.createIndex({ [ttl.field]: 1 }, period);
    } else
      await db.command({
        collMod: ttl.collection,
        index: { keyPattern: { [ttl.field]: 1 }, ...period },
      });
    logger.info(
      { collection: ttl.collection, field: ttl.field, ...period },
      `${ttl.collection}: kept ${ttl.expireAfterSeconds / 86_400} days (TTL on ${ttl.field})`,
    );
  }
}

/** `ingest_stats`' TTL: each hour's counts kept `days` from their hour (config `retention.ingestStatsDays`). */
export function ingestStatsTtl(days: number): TtlIndex {
  return {
    collection: INGEST_STATS_COLLECTION,
    field: 'hour',
    expireAfterSeconds: ttlSecondsOfDays(days),
  };
}
