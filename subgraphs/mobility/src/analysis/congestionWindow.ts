/**
 * Congestion of a district over a sliding window of its own readings: the
 * rule behind `District.congestionWindow` and `Subscription.trafficChanged`
 * (docs/live.md, "Real-time analysis"). A pure function of the readings, so
 * the graph, the live analysis and the tests (replayed rush hours) compute
 * it the same way.
 */

/** The window lengths offered, in minutes. */
export const CONGESTION_WINDOW_MINUTES = [5, 15] as const;
/** One of {@link CONGESTION_WINDOW_MINUTES}. */
export type CongestionWindowMinutes =
  (typeof CONGESTION_WINDOW_MINUTES)[number];

/** Congestion levels, by mean occupancy of the window's readings. */
export type CongestionLevel =
  'NO_DATA' | 'FREE_FLOW' | 'MODERATE' | 'HEAVY' | 'JAMMED';

/**
 * Lower bounds of mean occupancy (share of time a detector is occupied) per
 * level. Occupancy rather than speed because it does not depend on the
 * road's speed limit; the thresholds are the usual ones of loop-detector
 * level-of-service tables (about 15 % is the onset of dense traffic, 30 %
 * of congestion, 50 % stop-and-go).
 */
export const CONGESTION_THRESHOLDS = {
  MODERATE: 0.15,
  HEAVY: 0.3,
  JAMMED: 0.5,
} as const;

/** What the rule reads of a reading. */
export interface WindowReading {
  readonly _id: string;
  /** The series: the sensor (`id`) and its district. */
  readonly device: { readonly id: string };
  readonly observedAt: Date;
  /** Null when the source did not measure it (such readings count for the window but not for its means). */
  readonly occupancy: number | null;
  /** km/h. */
  readonly averageSpeed: number | null;
  readonly congested: boolean | null;
}

/** A district's congestion over one window, with what it came from. */
export interface CongestionWindowValue {
  readonly minutes: CongestionWindowMinutes;
  /** Start of the window (exclusive). */
  readonly from: Date;
  /** End of the window (inclusive). */
  readonly to: Date;
  readonly readingCount: number;
  /** The sensors whose readings are in the window, sorted. */
  readonly sensorIds: readonly string[];
  readonly averageOccupancy: number | null;
  /** km/h. */
  readonly averageSpeed: number | null;
  /** Share of the window's readings flagged congested, 0 to 1. */
  readonly congestedShare: number | null;
  readonly level: CongestionLevel;
}

/** The level of a mean occupancy (null: no readings). */
export function congestionLevel(occupancy: number | null): CongestionLevel {
  if (occupancy === null) return 'NO_DATA';
  if (occupancy >= CONGESTION_THRESHOLDS.JAMMED) return 'JAMMED';
  if (occupancy >= CONGESTION_THRESHOLDS.HEAVY) return 'HEAVY';
  if (occupancy >= CONGESTION_THRESHOLDS.MODERATE) return 'MODERATE';
  return 'FREE_FLOW';
}

/**
 * Congestion over the `minutes` before `to` (readings with `from <
 * observedAt <= to`); readings outside are ignored, so a caller may pass a
 * wider set.
 */
export function congestionOverWindow(
  readings: readonly WindowReading[],
  minutes: CongestionWindowMinutes,
  to: Date,
): CongestionWindowValue {
  const from = new Date(to.getTime() - minutes * 60_000);
  const inside = readings.filter(
    (r) => r.observedAt > from && r.observedAt <= to,
  );
  const mean = (values: readonly (number | null)[]) => {
    const known = values.filter((v): v is number => v !== null);
    return known.length === 0
      ? null
      : known.reduce((a, b) => a + b, 0) / known.length;
  };
  const averageOccupancy = mean(inside.map((r) => r.occupancy));
  return {
    minutes,
    from,
    to,
    readingCount: inside.length,
    sensorIds: [...new Set(inside.map((r) => r.device.id))].sort(),
    averageOccupancy,
    averageSpeed: mean(inside.map((r) => r.averageSpeed)),
    congestedShare: mean(
      inside.map((r) => (r.congested === null ? null : r.congested ? 1 : 0)),
    ),
    level: congestionLevel(averageOccupancy),
  };
}
