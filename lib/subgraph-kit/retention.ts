/**
 * Retention of personal data (GDPR art. 5(1)(e), storage limitation): each
 * personal-data field may declare in its subgraph's schema how long its
 * values are kept, as a tag next to its rule,
 * `@tag(name: "retention:P1Y")` (an ISO 8601 duration, read by
 * lib/records/access `readAccessRules`). This job erases, or replaces with
 * a pseudonym where the stored field cannot be empty, every value older than
 * its period, counted from a date of the record the department names.
 */
import type { Model } from 'mongoose';
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
  };
}
