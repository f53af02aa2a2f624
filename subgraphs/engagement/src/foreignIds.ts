/**
 * The id formats of the other departments' entities that engagement stores
 * references to. Their owners generate exactly these ids (see each
 * department's seed); we validate the format, and the district embedded in
 * the id, without calling the owner: a subgraph never calls another.
 */

const INSEE = '132(?:0[1-9]|1[0-6])';

/** Mobility's traffic lights: `mob-tl-<INSEE>-<01..04>`; group 1 is the district. */
export const TRAFFIC_LIGHT_ID = new RegExp(`^mob-tl-(${INSEE})-0[1-4]$`);
/** Environment's water meters: `env-wm-<INSEE>-<1..3>`; group 1 is the district. */
export const WATER_METER_ID = new RegExp(`^env-wm-(${INSEE})-[1-3]$`);
/** Economy's startups: `eco-su-<01..40>`. */
export const STARTUP_ID = /^eco-su-(?:0[1-9]|[1-3][0-9]|40)$/;
/** Economy's innovation hubs: `eco-hub-<1..6>`. */
export const INNOVATION_HUB_ID = /^eco-hub-[1-6]$/;

/** The INSEE code embedded in an asset id matching `pattern`, or null if the id does not match. */
export function districtOfAssetId(pattern: RegExp, id: string): string | null {
  return pattern.exec(id)?.[1] ?? null;
}

/** A mongoose `validate` for an optional foreign id of the given format. */
export function foreignIdValidator(pattern: RegExp, what: string) {
  return {
    validator: (value: string | null | undefined) =>
      value === null || value === undefined || pattern.test(value),
    message: `${what} id does not have the expected format ${pattern.source}`,
  };
}
