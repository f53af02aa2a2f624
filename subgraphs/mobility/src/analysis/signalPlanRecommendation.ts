/**
 * Smart traffic lights: the rule that recommends a signal-plan change from
 * the congestion near a light (docs/live.md, "Signal-plan recommendations").
 * Pure: the caller passes the readings of the sensors near the light.
 *
 * The rule, on the light's nearby sensors:
 * - LENGTHEN_CYCLE: the 15-minute window is HEAVY or JAMMED and so is the
 *   5-minute window (sustained, and still there now): lengthen the cycle by
 *   20 s (HEAVY) or 30 s (JAMMED), all of it given to the plan's longest
 *   phase, the cycle capped at 180 s (the model's maximum).
 * - SHORTEN_CYCLE: both windows are FREE_FLOW and the cycle is over 60 s:
 *   give back 20 s (not under 60 s), taken from the longest phase (not under
 *   5 s of green).
 * - otherwise (mixed or moderate traffic, no readings, nothing to change):
 *   no recommendation.
 * Both windows must agree so that one noisy reading or a short burst does not
 * flip a plan back and forth.
 */
import {
  congestionOverWindow,
  type CongestionWindowValue,
  type WindowReading,
} from './congestionWindow.js';

/** Rules of {@link recommendSignalPlan}. */
export type SignalPlanRule = 'LENGTHEN_CYCLE' | 'SHORTEN_CYCLE';

/** What the rule reads of a signal plan. */
export interface PlanShape {
  readonly name: string;
  readonly cycleSeconds: number;
  readonly phases: readonly { name: string; greenSeconds: number }[];
}

/** A recommended plan change, with what it came from. */
export interface SignalPlanRecommendation {
  readonly rule: SignalPlanRule;
  /** One sentence saying which readings and which rule. */
  readonly explanation: string;
  /** The plan to apply with `setSignalPlan`. */
  readonly proposedPlan: PlanShape;
  readonly window5: CongestionWindowValue;
  readonly window15: CongestionWindowValue;
  /** The readings of the 15-minute window (the 5-minute one is inside it). */
  readonly readingIds: readonly string[];
}

/** Limits of a plan (the TrafficLight model's). */
const MAX_CYCLE_SECONDS = 180;
const MIN_SHORTENED_CYCLE_SECONDS = 60;
const MIN_GREEN_SECONDS = 5;
const MAX_GREEN_SECONDS = 120;

const congestedLevels = new Set(['HEAVY', 'JAMMED']);

function withLongestPhaseChanged(plan: PlanShape, delta: number): PlanShape {
  let longest = 0;
  plan.phases.forEach((phase, i) => {
    if (phase.greenSeconds > (plan.phases[longest]?.greenSeconds ?? 0))
      longest = i;
  });
  return {
    name: plan.name,
    cycleSeconds: plan.cycleSeconds + delta,
    phases: plan.phases.map((phase, i) =>
      i === longest
        ? { name: phase.name, greenSeconds: phase.greenSeconds + delta }
        : { name: phase.name, greenSeconds: phase.greenSeconds },
    ),
  };
}

const percent = (share: number | null) =>
  share === null ? 'n/a' : `${Math.round(share * 100)} %`;

/**
 * The recommendation for a light whose nearby sensors produced `readings`,
 * at `at`; null when the rule recommends nothing.
 */
export function recommendSignalPlan(
  plan: PlanShape,
  readings: readonly WindowReading[],
  at: Date,
): SignalPlanRecommendation | null {
  const window5 = congestionOverWindow(readings, 5, at);
  const window15 = congestionOverWindow(readings, 15, at);
  const readingIds = readings
    .filter((r) => r.observedAt > window15.from && r.observedAt <= at)
    .map((r) => r._id)
    .sort();
  const seen = `${window15.readingCount} readings of ${window15.sensorIds.length} nearby sensors (${window15.sensorIds.join(', ')}): mean occupancy ${percent(window15.averageOccupancy)} over 15 min (${window15.level}), ${percent(window5.averageOccupancy)} over 5 min (${window5.level})`;

  if (
    congestedLevels.has(window15.level) &&
    congestedLevels.has(window5.level)
  ) {
    const wanted = window15.level === 'JAMMED' ? 30 : 20;
    const longestGreen = Math.max(...plan.phases.map((p) => p.greenSeconds));
    const delta = Math.min(
      wanted,
      MAX_CYCLE_SECONDS - plan.cycleSeconds,
      MAX_GREEN_SECONDS - longestGreen,
    );
    if (delta <= 0) return null;
    return {
      rule: 'LENGTHEN_CYCLE',
      explanation: `${seen}: sustained congestion, so lengthen the cycle from ${plan.cycleSeconds} s to ${plan.cycleSeconds + delta} s, the ${delta} s going to the longest phase (rule LENGTHEN_CYCLE).`,
      proposedPlan: withLongestPhaseChanged(plan, delta),
      window5,
      window15,
      readingIds,
    };
  }
  if (window15.level === 'FREE_FLOW' && window5.level === 'FREE_FLOW') {
    const longestGreen = Math.max(...plan.phases.map((p) => p.greenSeconds));
    const give = Math.min(
      20,
      plan.cycleSeconds - MIN_SHORTENED_CYCLE_SECONDS,
      longestGreen - MIN_GREEN_SECONDS,
    );
    if (give <= 0) return null;
    return {
      rule: 'SHORTEN_CYCLE',
      explanation: `${seen}: free flow, so shorten the cycle from ${plan.cycleSeconds} s to ${plan.cycleSeconds - give} s, taken from the longest phase (rule SHORTEN_CYCLE).`,
      proposedPlan: withLongestPhaseChanged(plan, -give),
      window5,
      window15,
      readingIds,
    };
  }
  return null;
}
