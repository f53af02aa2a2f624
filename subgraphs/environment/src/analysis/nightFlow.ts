/**
 * Water leak detection by minimum night flow (docs/live.md, "Leak
 * detection"): the rule behind `WaterLeakAlert`s, the seed's alerts and
 * `Subscription.leakAlertRaised`. Pure functions of a meter's readings, so
 * the live analysis, the seed and the tests compute it the same way.
 *
 * At night (02:00 to 05:00, Europe/Paris) almost nobody draws water, so the
 * lowest flow a meter sees then is what the network loses plus a small
 * legitimate use; a leak adds to it hour after hour. A night's minimum flow
 * well above the meter's baseline (its lowest minimum night flow of the
 * nights before) is a new leak.
 */

/** The night window, local time. */
export const NIGHT_WINDOW = {
  timeZone: 'Europe/Paris',
  /** Local hour the window starts at (inclusive). */
  fromHour: 2,
  /** Local hour the window ends at (inclusive end of the last reading). */
  toHour: 5,
} as const;

/** The rule's parameters (documented in docs/live.md). */
export const LEAK_RULE = {
  /** Share of the window the night's readings must cover to be judged. */
  minCoverage: 0.9,
  /** Nights before the judged one the baseline is taken from. */
  baselineNights: 7,
  /** The excess over the baseline must be above this share of it... */
  relativeExcess: 0.2,
  /** ...and above this flow, m3/h (small meters' noise). */
  absoluteExcess: 2,
} as const;

/** What the rule reads of a reading. */
export interface FlowReading {
  readonly _id: string;
  readonly observedAt: Date;
  /** Start of the reading's interval; null when unknown. */
  readonly intervalStart: Date | null;
  /** m3 over the interval; null when unknown. */
  readonly consumption: number | null;
}

/** The mean flow of a reading over its interval, m3/h; null when unknown. */
export function flowOf(reading: FlowReading): number | null {
  if (reading.consumption === null || reading.intervalStart === null)
    return null;
  const hours =
    (reading.observedAt.getTime() - reading.intervalStart.getTime()) /
    3_600_000;
  return hours > 0 ? reading.consumption / hours : null;
}

const localFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: NIGHT_WINDOW.timeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The wall-clock parts of an instant in the night window's zone. */
function localParts(at: Date) {
  const parts = Object.fromEntries(
    localFormat.formatToParts(at).map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
  };
}

/** The instant of a local wall-clock time (the zone's offset at that time). */
function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour);
  // The offset at the guess, then at the corrected guess (DST edges).
  let instant = asUtc;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(instant));
    const shown = Date.UTC(
      p.year,
      p.month - 1,
      p.day,
      p.hour,
      p.minute,
      p.second,
    );
    instant = asUtc - (shown - instant);
  }
  // A wall-clock time that happens twice (the night clocks go back): the first.
  const earlier = localParts(new Date(instant - 3_600_000));
  if (earlier.day === day && earlier.hour === hour)
    return new Date(instant - 3_600_000);
  return new Date(instant);
}

/** One night window. */
export interface NightWindow {
  /** Local date of the night's morning, `YYYY-MM-DD`. */
  readonly night: string;
  readonly from: Date;
  readonly to: Date;
}

/** The night window of a local date (`YYYY-MM-DD`). */
export function nightWindow(night: string): NightWindow {
  const [y, m, d] = night.split('-').map(Number) as [number, number, number];
  return {
    night,
    from: zonedInstant(y, m, d, NIGHT_WINDOW.fromHour),
    to: zonedInstant(y, m, d, NIGHT_WINDOW.toHour),
  };
}

/** The night window an instant falls in (`from < at <= to`), or null. */
export function nightOf(at: Date): NightWindow | null {
  const p = localParts(at);
  const night = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const window = nightWindow(night);
  return at > window.from && at <= window.to ? window : null;
}

/** The night before. */
export function previousNight(window: NightWindow, nights = 1): NightWindow {
  // Noon of the local date, minus whole days, is never near a DST edge.
  const [y, m, d] = window.night.split('-').map(Number) as [
    number,
    number,
    number,
  ];
  const earlier = new Date(Date.UTC(y, m - 1, d - nights, 12));
  return nightWindow(earlier.toISOString().slice(0, 10));
}

/** A night's minimum flow, with the readings it came from. */
export interface NightFlow extends NightWindow {
  /** The readings whose intervals end within the window, in time order. */
  readonly readings: readonly FlowReading[];
  /** Share of the window their intervals cover, 0 to 1. */
  readonly coverage: number;
  /** Whether they cover enough of the window to be judged. */
  readonly complete: boolean;
  /** The lowest of their flows, m3/h; null without a known flow. */
  readonly minimumFlow: number | null;
}

/** The minimum flow of a night from a meter's readings (others are ignored). */
export function nightFlow(
  readings: readonly FlowReading[],
  window: NightWindow,
): NightFlow {
  const inside = readings
    .filter((r) => r.observedAt > window.from && r.observedAt <= window.to)
    .filter((r) => flowOf(r) !== null)
    .sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime());
  let covered = 0;
  let minimumFlow: number | null = null;
  for (const r of inside) {
    const start = Math.max(
      (r.intervalStart as Date).getTime(),
      window.from.getTime(),
    );
    covered += Math.max(0, r.observedAt.getTime() - start);
    const flow = flowOf(r) as number;
    if (minimumFlow === null || flow < minimumFlow) minimumFlow = flow;
  }
  const coverage = Math.min(
    1,
    covered / (window.to.getTime() - window.from.getTime()),
  );
  return {
    ...window,
    readings: inside,
    coverage,
    complete: coverage >= LEAK_RULE.minCoverage,
    minimumFlow,
  };
}

/** The verdict on one night of one meter. */
export interface LeakVerdict {
  /** The judged night. */
  readonly night: NightFlow;
  /** The lowest minimum flow of the complete nights before (up to 7), m3/h; null without any. */
  readonly baseline: number | null;
  /** How many complete nights the baseline was taken from. */
  readonly baselineNights: number;
  /** The night's minimum flow minus the baseline, m3/h. */
  readonly excess: number | null;
  /** Whether the night's minimum flow is above the baseline by the rule's margins. */
  readonly exceeds: boolean;
  /** Whether this night starts a leak: it exceeds and the night before did not. */
  readonly raises: boolean;
}

function judge(
  night: NightFlow,
  before: readonly NightFlow[],
): Omit<LeakVerdict, 'raises'> {
  const baselines = before
    .filter((n) => n.complete && n.minimumFlow !== null)
    .map((n) => n.minimumFlow as number);
  const baseline = baselines.length === 0 ? null : Math.min(...baselines);
  const excess =
    baseline === null || night.minimumFlow === null
      ? null
      : night.minimumFlow - baseline;
  const exceeds =
    night.complete &&
    baseline !== null &&
    excess !== null &&
    excess > LEAK_RULE.absoluteExcess &&
    excess > LEAK_RULE.relativeExcess * baseline;
  return {
    night,
    baseline,
    baselineNights: baselines.length,
    excess,
    exceeds,
  };
}

/**
 * Judges `window` from a meter's readings of that night and of the
 * {@link LEAK_RULE.baselineNights} + 1 nights before it: the night raises an
 * alert when it exceeds its baseline and the night before did not exceed
 * its own (one alert per leak, not one per night it lasts).
 */
export function judgeNight(
  readings: readonly FlowReading[],
  window: NightWindow,
): LeakVerdict {
  const nights = Array.from({ length: LEAK_RULE.baselineNights + 2 }, (_, k) =>
    nightFlow(readings, k === 0 ? window : previousNight(window, k)),
  );
  const [night, ...before] = nights as [NightFlow, ...NightFlow[]];
  const verdict = judge(night, before.slice(0, LEAK_RULE.baselineNights));
  const previous = before[0] as NightFlow;
  const previousVerdict = judge(previous, before.slice(1));
  return { ...verdict, raises: verdict.exceeds && !previousVerdict.exceeds };
}

/** The span of readings {@link judgeNight} needs for `window`. */
export function judgementSpan(window: NightWindow): { from: Date; to: Date } {
  return {
    from: previousNight(window, LEAK_RULE.baselineNights + 1).from,
    to: window.to,
  };
}

/** Severity of an estimated loss, m3/h. */
export function leakSeverity(
  lossM3h: number,
): 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' {
  return lossM3h < 20
    ? 'LOW'
    : lossM3h < 40
      ? 'MEDIUM'
      : lossM3h < 80
        ? 'HIGH'
        : 'CRITICAL';
}

/** The deterministic id of the alert a meter's night raises: `env-leak-<INSEE>-<meter n>-<YYYYMMDD>`. */
export function leakAlertId(meterId: string, night: string): string {
  const suffix = meterId.replace(/^env-wm-/, '');
  return `env-leak-${suffix}-${night.replaceAll('-', '')}`;
}
