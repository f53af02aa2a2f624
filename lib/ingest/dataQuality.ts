/**
 * The data-quality view of a department (docs/ingestion.md, "Data
 * quality"): its ingestion statistics (lib/ingest/ingestStats.ts) over a time
 * range, per type and source, with completeness, validity, freshness and a
 * score. Pure: the pipeline reads the buckets and counts the devices, this
 * module does the arithmetic.
 */
import type { QualityFlag, RecordSource, RejectionReason } from './quality.js';
import {
  STATS_BUCKET_MS,
  unescapeKey,
  type DeviceCounts,
  type IngestStatsDoc,
} from './ingestStats.js';

/** What the view knows of one type a department ingests. */
export interface DataQualityType {
  readonly type: string;
  /**
   * How often each device of the type is expected to report (its
   * ObservationSpec); without it (types that are not a device's
   * observations) completeness is null.
   */
  readonly reportingIntervalMs?: number | undefined;
  /** The type's devices now; without it, completeness and freshness are null. */
  readonly devices?: DeviceCounts | undefined;
}

/** One row of the view: one type, from one source or (source null) from all. */
export interface DataQualityReport {
  readonly entityType: string;
  /** null: every source of the type together. */
  readonly source: RecordSource | null;
  /** The range, widened to whole hours. */
  readonly from: Date;
  readonly to: Date;
  readonly received: number;
  readonly accepted: number;
  readonly flagged: number;
  readonly flags: readonly { flag: QualityFlag; count: number }[];
  readonly rejected: number;
  readonly rejections: readonly { reason: RejectionReason; count: number }[];
  readonly duplicates: number;
  readonly failed: number;
  readonly replayed: number;
  /** accepted / (accepted + rejected); null when nothing was received. */
  readonly validity: number | null;
  /**
   * Per device, the share of its expected readings (the range up to now
   * divided by the type's reporting interval) that arrived, capped at 1,
   * averaged: over every registered device on the all-sources row, over the
   * devices the source delivered for on a source's row.
   */
  readonly completeness: number | null;
  /** How many devices the completeness is averaged over. */
  readonly devices: number | null;
  /** Share of the type's registered devices whose current state is not stale (now; all-sources rows only). */
  readonly freshness: number | null;
  /** Mean quality score of the accepted records. */
  readonly recordScore: number | null;
  /** validity × recordScore × completeness (those defined); null when none is. */
  readonly score: number | null;
}

/** The range the view answers for: whole hours around `range`. */
export function statsWindow(range: {
  readonly from: Date;
  readonly to: Date;
}): {
  from: Date;
  to: Date;
} {
  return {
    from: new Date(
      Math.floor(range.from.getTime() / STATS_BUCKET_MS) * STATS_BUCKET_MS,
    ),
    to: new Date(
      Math.ceil(range.to.getTime() / STATS_BUCKET_MS) * STATS_BUCKET_MS,
    ),
  };
}

interface Totals {
  received: number;
  accepted: number;
  duplicates: number;
  flagged: number;
  rejected: number;
  failed: number;
  scoreSum: number;
  replayed: number;
  flags: Map<string, number>;
  rejections: Map<string, number>;
  observed: Map<string, number>;
}

const emptyTotals = (): Totals => ({
  received: 0,
  accepted: 0,
  duplicates: 0,
  flagged: 0,
  rejected: 0,
  failed: 0,
  scoreSum: 0,
  replayed: 0,
  flags: new Map(),
  rejections: new Map(),
  observed: new Map(),
});

const addMap = (
  into: Map<string, number>,
  from: Readonly<Record<string, number>> | undefined,
  key: (k: string) => string = (k) => k,
) => {
  for (const [k, n] of Object.entries(from ?? {}))
    into.set(key(k), (into.get(key(k)) ?? 0) + n);
};

function addDoc(totals: Totals, doc: IngestStatsDoc): void {
  totals.received += doc.received ?? 0;
  totals.accepted += doc.accepted ?? 0;
  totals.duplicates += doc.duplicates ?? 0;
  totals.flagged += doc.flagged ?? 0;
  totals.rejected += doc.rejected ?? 0;
  totals.failed += doc.failed ?? 0;
  totals.scoreSum += doc.scoreSum ?? 0;
  totals.replayed += doc.replayed ?? 0;
  addMap(totals.flags, doc.flags);
  addMap(totals.rejections, doc.rejections);
  addMap(totals.observed, doc.observed, unescapeKey);
}

function addTotals(into: Totals, from: Totals): void {
  into.received += from.received;
  into.accepted += from.accepted;
  into.duplicates += from.duplicates;
  into.flagged += from.flagged;
  into.rejected += from.rejected;
  into.failed += from.failed;
  into.scoreSum += from.scoreSum;
  into.replayed += from.replayed;
  addMap(into.flags, Object.fromEntries(from.flags));
  addMap(into.rejections, Object.fromEntries(from.rejections));
  addMap(into.observed, Object.fromEntries(from.observed));
}

const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null;

const counted = <K extends string>(map: Map<string, number>, name: string) =>
  [...map]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => ({ [name]: key as K, count }));

/**
 * The rows of the view: per type an all-sources row (every type the
 * department ingests, even with nothing received), then a row per source
 * that sent it; with `source`, only the rows of sources with that id.
 */
export function summarizeDataQuality(options: {
  readonly docs: readonly IngestStatsDoc[];
  readonly types: readonly DataQualityType[];
  readonly window: { readonly from: Date; readonly to: Date };
  readonly now: Date;
  readonly source?: string | null | undefined;
}): DataQualityReport[] {
  const { window, now } = options;
  const bySource = new Map<
    string,
    Map<string, { source: RecordSource; totals: Totals }>
  >();
  for (const doc of options.docs) {
    const sources = bySource.get(doc.type) ?? new Map();
    bySource.set(doc.type, sources);
    const key = `${doc.source.kind}:${doc.source.id}`;
    const entry = sources.get(key) ?? {
      source: { kind: doc.source.kind, id: doc.source.id },
      totals: emptyTotals(),
    };
    sources.set(key, entry);
    addDoc(entry.totals, doc);
  }
  const known = new Map(options.types.map((t) => [t.type, t]));
  const types = [
    ...options.types.map((t) => t.type),
    ...[...bySource.keys()].filter((t) => !known.has(t)).sort(),
  ];
  const elapsedMs =
    Math.min(window.to.getTime(), now.getTime()) - window.from.getTime();

  const row = (
    type: string,
    source: RecordSource | null,
    totals: Totals,
  ): DataQualityReport => {
    const info = known.get(type);
    const interval = info?.reportingIntervalMs;
    const registered = info?.devices?.registered;
    let completeness: number | null = null;
    let devices: number | null = null;
    if (interval !== undefined && elapsedMs > 0) {
      const expected = elapsedMs / interval;
      let sum = 0;
      for (const n of totals.observed.values())
        sum += Math.min(1, n / expected);
      devices = source === null ? (registered ?? null) : totals.observed.size;
      completeness = devices === null ? null : ratio(sum, devices);
    }
    const validity = ratio(totals.accepted, totals.accepted + totals.rejected);
    const recordScore = ratio(totals.scoreSum, totals.accepted);
    const parts = [validity, recordScore, completeness].filter(
      (p): p is number => p !== null,
    );
    return {
      entityType: type,
      source,
      from: window.from,
      to: window.to,
      received: totals.received,
      accepted: totals.accepted,
      flagged: totals.flagged,
      flags: counted<QualityFlag>(totals.flags, 'flag') as {
        flag: QualityFlag;
        count: number;
      }[],
      rejected: totals.rejected,
      rejections: counted<RejectionReason>(totals.rejections, 'reason') as {
        reason: RejectionReason;
        count: number;
      }[],
      duplicates: totals.duplicates,
      failed: totals.failed,
      replayed: totals.replayed,
      validity,
      completeness,
      devices,
      freshness:
        source === null && info?.devices
          ? ratio(info.devices.fresh, info.devices.registered)
          : null,
      recordScore,
      score:
        parts.length === 0
          ? null
          : Math.round(parts.reduce((a, b) => a * b, 1) * 1000) / 1000,
    };
  };

  const reports: DataQualityReport[] = [];
  for (const type of types) {
    const sources = [...(bySource.get(type)?.values() ?? [])].sort((a, b) =>
      `${a.source.kind}:${a.source.id}`.localeCompare(
        `${b.source.kind}:${b.source.id}`,
      ),
    );
    if (options.source !== undefined && options.source !== null) {
      for (const s of sources)
        if (s.source.id === options.source)
          reports.push(row(type, s.source, s.totals));
      continue;
    }
    const all = emptyTotals();
    for (const s of sources) addTotals(all, s.totals);
    reports.push(row(type, null, all));
    for (const s of sources) reports.push(row(type, s.source, s.totals));
  }
  return reports;
}
