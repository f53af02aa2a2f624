/**
 * Governance's query module: every read of its resolvers that is not a
 * per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md). Read-only:
 * only lib/records/audit appends audit events.
 */
import type { QueryFilter } from 'mongoose';
import type { AuditedRecord } from '../../../../lib/records/audit/index.js';
import { pageQuery } from '../../../../lib/subgraph-kit/pageQueries.js';
import { timeRangeFilter } from '../../../../lib/subgraph-kit/pagination.js';
import type { AuditEventDoc, GovernanceModels } from '../models/index.js';

/** Most reads one personal-data access report lists. */
export const PERSONAL_DATA_REPORT_LIMIT = 10_000;

/** One read of a citizen's personal data: the event, and the citizen's records in it. */
export interface PersonalDataReadValue {
  readonly event: AuditEventDoc;
  readonly records: readonly AuditedRecord[];
}

/** Every read of a citizen's personal data the trail holds (`personalDataAccessReport`). */
export interface PersonalDataAccessReportValue {
  readonly subject: string;
  readonly reads: readonly PersonalDataReadValue[];
  readonly totalCount: number;
}

/** Binds governance's queries to its models. */
export function createQueries(models: GovernanceModels) {
  return {
    /** A page of audit events, newest first. */
    auditEvents: pageQuery(models.AuditEvent, {
      sortField: 'at',
      direction: -1,
    }),
    /**
     * Every event that served personal data of a record about `subject`
     * (records as the subgraphs reported them), newest first, with only
     * that citizen's records.
     */
    async personalDataReads(
      subject: string,
      range: { from?: Date | null; to?: Date | null },
    ): Promise<PersonalDataAccessReportValue> {
      const filter = {
        ...timeRangeFilter('at', range),
        records: { $elemMatch: { subject, personalData: true } },
      } as QueryFilter<AuditEventDoc>;
      const [events, totalCount] = await Promise.all([
        models.AuditEvent.find(filter)
          .sort({ at: -1, _id: -1 })
          .limit(PERSONAL_DATA_REPORT_LIMIT)
          .lean<AuditEventDoc[]>()
          .exec(),
        models.AuditEvent.countDocuments(filter).exec(),
      ]);
      return {
        subject,
        totalCount,
        reads: events.map((event) => ({
          event,
          records: (event.records ?? []).filter(
            (record) => record.subject === subject && record.personalData,
          ),
        })),
      };
    },
  };
}

/** Governance's queries. */
export type GovernanceQueries = ReturnType<typeof createQueries>;
