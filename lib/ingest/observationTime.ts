/**
 * Observation times as FIWARE sends them: an ISO 8601 instant
 * (`2016-12-07T11:15:00Z`) or an interval (`2016-12-07T11:10:00/2016-12-07T11:15:00`,
 * as TrafficFlowObserved's `dateObserved`), with or without a zone.
 */

/** A parsed observation time. */
export interface ObservationTime {
  /** The instant the observation stands for: the end of its interval. */
  readonly observedAt: Date;
  /** Start of the interval, when an interval was given. */
  readonly from: Date | null;
  /** Whether a time without zone designator was read as UTC. */
  readonly zoneAssumed: boolean;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function parseInstant(text: string): { at: Date; zoneAssumed: boolean } | null {
  const trimmed = text.trim();
  const match = ISO_INSTANT.exec(trimmed);
  if (!match) return null;
  const zone = match[8];
  const withZone =
    zone === undefined
      ? `${trimmed.replace(' ', 'T')}${match[4] === undefined ? 'T00:00:00' : ''}Z`
      : trimmed.replace(' ', 'T');
  const at = new Date(withZone);
  if (Number.isNaN(at.getTime())) return null;
  // Date rolls 2026-02-30 over to March: refuse dates that do not exist.
  if (
    zone === undefined &&
    (at.getUTCMonth() + 1 !== Number(match[2]) ||
      at.getUTCDate() !== Number(match[3]))
  )
    return null;
  return { at, zoneAssumed: zone === undefined };
}

/**
 * Parses an instant or an interval; null when `text` is neither.
 * An interval whose start is after its end is refused (null).
 */
export function parseObservationTime(text: string): ObservationTime | null {
  const parts = text.split('/');
  if (parts.length === 1) {
    const instant = parseInstant(text);
    return instant
      ? { observedAt: instant.at, from: null, zoneAssumed: instant.zoneAssumed }
      : null;
  }
  if (parts.length !== 2) return null;
  const from = parseInstant(parts[0] ?? '');
  const to = parseInstant(parts[1] ?? '');
  if (!from || !to || from.at > to.at) return null;
  return {
    observedAt: to.at,
    from: from.at,
    zoneAssumed: from.zoneAssumed || to.zoneAssumed,
  };
}
