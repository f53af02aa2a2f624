/**
 * Public social-media posts pushed by a partner's webhook (docs/ingestion.md,
 * "Social media"): a Mastodon Status (the REST API's entity, or a webhook
 * event `{ event: "status.created", object: Status }`), reduced at the door
 * to what the city keeps, as one `SocialMediaPost` entity for engagement's
 * pipeline.
 *
 * What is kept is minimised before anything else sees it (the audit trail,
 * the quarantine, the department): the author becomes a keyed HMAC of its
 * account (never the handle, the account id or the profile URL); the status
 * `uri`/`url`, which name the author, become a keyed HMAC too (the post's
 * id, stable, so the same status sent again is recognised); mentions of
 * other accounts are dropped from the text; the HTML is reduced to text.
 * A post that is not public is refused at the door and not kept.
 * Mastodon Status entity: https://docs.joinmastodon.org/entities/Status/
 */
import { createHmac } from 'node:crypto';
import type { RejectionReason } from './quality.js';

/** The entity type engagement ingests posts as. */
export const SOCIAL_POST_TYPE = 'SocialMediaPost';

/** The longest text kept (Mastodon's default limit is 500 characters; instances raise it). */
export const MAX_POST_TEXT = 5000;

/** One item of a webhook call, refused at the door (not kept), or the entity to ingest. */
export type SocialItem =
  | { readonly ok: true; readonly entity: Record<string, unknown> }
  | {
      readonly ok: false;
      /** Whatever id the item gave (the status id), for the per-item answer. */
      readonly statusId: string | null;
      readonly reason: RejectionReason;
      readonly detail: string;
    };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * The text of a status's HTML: paragraphs and line breaks as new lines, tags
 * dropped, character references decoded, mentions of accounts (`@name`,
 * `@name@host`) replaced by `@…`.
 */
export function statusText(html: string): string {
  const text = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    // A mention's link (Mastodon marks it class="u-url mention") goes whole;
    // a hashtag's link (class="mention hashtag") keeps its text.
    .replace(
      /<a\b([^>]*)>([\s\S]*?)<\/a>/gi,
      (_link, attributes: string, inner: string) =>
        /class="[^"]*\bmention\b/.test(attributes) &&
        !/class="[^"]*\bhashtag\b/.test(attributes)
          ? '@…'
          : inner,
    )
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, ref: string) => {
      if (ref.startsWith('#x') || ref.startsWith('#X'))
        return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#'))
        return String.fromCodePoint(Number(ref.slice(1)));
      return NAMED_ENTITIES[ref.toLowerCase()] ?? match;
    })
    // Plain-text mentions (a partner that sends `text`, or a remote server's markup).
    .replace(/(^|[^\w@])@[\w.-]+(?:@[\w.-]+\.[a-z]{2,})?/gi, '$1@…');
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The keyed pseudonym of `value` (hex HMAC-SHA256 with the city's key), 32 hex characters. */
export function pseudonym(key: string, purpose: string, value: string): string {
  return createHmac('sha256', key)
    .update(`${purpose}\u0000${value}`)
    .digest('hex')
    .slice(0, 32);
}

/** The items of a webhook body: a Status, a webhook event, or an array of either. */
export function webhookItems(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (isObject(body)) return [body];
  return null;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/** The host of a URL, or null. */
function hostOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value).host.toLowerCase() || null;
  } catch {
    return null;
  }
}

/**
 * A geotag, when the item carries one: an ActivityStreams Place
 * (`{ type: "Place", latitude, longitude }`) or a GeoJSON Point in
 * `location` (Mastodon itself has none; some servers and partners add it).
 */
function geotag(value: unknown): { lat: number; lon: number } | null {
  if (!isObject(value)) return null;
  const lat = value['latitude'];
  const lon = value['longitude'];
  if (typeof lat === 'number' && typeof lon === 'number') return { lat, lon };
  const coordinates = value['coordinates'];
  if (
    value['type'] === 'Point' &&
    Array.isArray(coordinates) &&
    typeof coordinates[0] === 'number' &&
    typeof coordinates[1] === 'number'
  )
    return { lon: coordinates[0], lat: coordinates[1] };
  return null;
}

/**
 * One webhook item as the entity engagement ingests, or why the door refuses
 * it. The door refuses only what must not be kept or cannot be told apart
 * (not an object, no id, not public, a boost); everything else (no text, a
 * bad date) goes on and is judged, and kept if rejected, by engagement.
 */
export function socialPostEntity(item: unknown, key: string): SocialItem {
  const status =
    isObject(item) && typeof item['event'] === 'string' ? item['object'] : item;
  if (
    isObject(item) &&
    typeof item['event'] === 'string' &&
    item['event'] !== 'status.created' &&
    item['event'] !== 'status.updated'
  )
    return {
      ok: false,
      statusId: null,
      reason: 'UNKNOWN_TYPE',
      detail: `Webhook event "${item['event']}" is not taken: send status.created or status.updated.`,
    };
  if (!isObject(status))
    return {
      ok: false,
      statusId: null,
      reason: 'MALFORMED_ENTITY',
      detail:
        'An item is a Mastodon Status object, or a webhook event { event, object: Status }.',
    };
  const id =
    typeof status['id'] === 'number'
      ? String(status['id'])
      : text(status['id']);
  const uri = text(status['uri']) ?? text(status['url']);
  if (id === null || uri === null || id.length > 100)
    return {
      ok: false,
      statusId: id,
      reason: 'MALFORMED_ENTITY',
      detail:
        'A status needs its "id" (a string of at most 100 characters) and its "uri": they tell a status sent again from a new one.',
    };
  const visibility = status['visibility'];
  if (visibility !== 'public' && visibility !== 'unlisted')
    return {
      ok: false,
      statusId: id,
      reason: 'NOT_PUBLIC',
      detail: `Only public posts are taken (visibility public or unlisted), not ${JSON.stringify(visibility ?? null)}: this one was not kept.`,
    };
  if (status['reblog'] !== null && status['reblog'] !== undefined)
    return {
      ok: false,
      statusId: id,
      reason: 'MALFORMED_ENTITY',
      detail:
        'A boost (reblog) carries no post of its own: send the original status.',
    };
  const account = isObject(status['account']) ? status['account'] : null;
  const accountKey =
    text(account?.['url']) ??
    text(account?.['uri']) ??
    (text(account?.['acct']) && hostOf(uri)
      ? `${text(account?.['acct'])}@${hostOf(uri)}`
      : null);
  const html = typeof status['content'] === 'string' ? status['content'] : null;
  const tags = Array.isArray(status['tags'])
    ? status['tags']
        .map((tag) => (isObject(tag) ? text(tag['name']) : null))
        .filter((name): name is string => name !== null)
        .slice(0, 20)
    : [];
  const postId = pseudonym(key, 'status', uri);
  const entity: Record<string, unknown> = {
    id: `urn:ngsi-ld:${SOCIAL_POST_TYPE}:eng-sp-${postId}`,
    type: SOCIAL_POST_TYPE,
    author: accountKey === null ? null : pseudonym(key, 'account', accountKey),
    instance: hostOf(uri),
    createdAt: status['created_at'] ?? null,
    editedAt: status['edited_at'] ?? null,
    language: text(status['language']),
    text: html === null ? null : statusText(html).slice(0, MAX_POST_TEXT),
    spoilerText: text(status['spoiler_text']),
    tags,
    location: geotag(status['location']),
  };
  return { ok: true, entity };
}
