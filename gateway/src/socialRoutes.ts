/**
 * The social-media webhook on the gateway's host (docs/ingestion.md, "Social
 * media"): `POST /social/v1/statuses` takes public posts a partner pushes
 * (Mastodon Status JSON, one, an array, or webhook events), reduces each at
 * the door to what the city keeps (lib/ingest/socialStatus.ts: author and id
 * pseudonymized with the city's key, text without HTML or mentions), and
 * hands them to engagement through the same dispatcher as the NGSI endpoints
 * (routing, `engagement:ingest` scope, audit trail, quarantine;
 * docs/decisions/0009-ingestion-hand-over-over-internal-http.md).
 *
 * Answers: `200` when every item is stored (or already was), `207` with one
 * result per item otherwise, and `{ error, description }` with 400, 401,
 * 405, 413, 415 or 503 when the whole request is refused (nothing of it is
 * kept).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  socialPostEntity,
  webhookItems,
  type SocialItem,
} from '../../lib/ingest/socialStatus.js';
import { UnauthenticatedError } from '../../lib/runtime/errors.js';
import { HttpError, readBody, type HttpRoute } from '../../lib/runtime/http.js';
import type { Viewer } from '../../lib/runtime/viewer.js';
import {
  CLIENT_NAME_HEADER,
  CLIENT_VERSION_HEADER,
  requestHeader,
} from './context.js';
import {
  DispatchUnavailableError,
  type EntityResult,
} from './ingestDispatcher.js';
import type { NgsiRoutesOptions } from './ngsiRoutes.js';

/** Where partners push posts. */
export const SOCIAL_STATUSES_PATH = '/social/v1/statuses';

/** Largest body (a status with its account is a few KB). */
export const MAX_SOCIAL_BYTES = 2 * 1024 * 1024;

/** Most posts in one call. */
export const MAX_SOCIAL_ITEMS = 500;

const OPERATION_NAME = 'Social statuses webhook';

/** Options of {@link createSocialRoutes}: the NGSI routes' (the same dispatcher). */
export type SocialRoutesOptions = NgsiRoutesOptions;

/** A whole-request refusal. */
class SocialRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 405 | 413 | 415 | 503,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** One item's answer. */
interface ItemResult {
  readonly index: number;
  /** The post's id in the graph (`eng-sp-...`), when the door could give it one. */
  readonly postId: string | null;
  readonly status: 'stored' | 'duplicate' | 'rejected' | 'failed';
  readonly reason?: string;
  readonly detail?: string;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

const graphId = (entityId: string | null) =>
  entityId === null ? null : (entityId.split(':').pop() ?? null);

/** The social webhook route. */
export function createSocialRoutes(options: SocialRoutesOptions): HttpRoute {
  const { dispatcher } = options;

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ) => {
    const started = performance.now();
    let viewer: Viewer | null = null;
    // A call nothing of which was kept is still in the audit trail.
    const refusal = (code: string) =>
      dispatcher.recordRefusal({
        requestId,
        operationName: OPERATION_NAME,
        clientName: requestHeader(req, CLIENT_NAME_HEADER),
        clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
        viewer,
        code,
        durationMs: performance.now() - started,
      });
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new SocialRefusal(
          405,
          'MethodNotAllowed',
          `${SOCIAL_STATUSES_PATH} accepts POST only.`,
        );
      }
      const key = options.config.social.authorKey;
      if (key === undefined)
        throw new SocialRefusal(
          503,
          'ServiceUnavailable',
          'The social webhook is not configured here (SOCIAL_AUTHOR_KEY): nothing was kept.',
        );
      try {
        viewer = await options.authenticate(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
        throw new SocialRefusal(401, 'Unauthorized', error.message);
      }
      if (viewer.subject === null)
        throw new SocialRefusal(
          401,
          'Unauthorized',
          'Pushing posts needs a bearer token with the engagement:ingest scope.',
        );
      const type = (req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      if (type !== 'application/json' && type !== 'application/activity+json')
        throw new SocialRefusal(
          415,
          'UnsupportedMediaType',
          `Content-Type must be application/json (or application/activity+json), got ${type || 'none'}.`,
        );
      let raw: string;
      try {
        raw = await readBody(req, MAX_SOCIAL_BYTES);
      } catch (error) {
        if (error instanceof HttpError && error.status === 413)
          throw new SocialRefusal(
            413,
            'RequestEntityTooLarge',
            `A call is at most ${MAX_SOCIAL_BYTES} bytes: split it (nothing of this one was kept).`,
          );
        throw error;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new SocialRefusal(
          400,
          'ParseError',
          'The body is not valid JSON (nothing of it was kept).',
        );
      }
      const items = webhookItems(body);
      if (items === null || items.length === 0)
        throw new SocialRefusal(
          400,
          'BadRequest',
          'The body is a Mastodon Status, a webhook event { event, object }, or a non-empty array of them.',
        );
      if (items.length > MAX_SOCIAL_ITEMS)
        throw new SocialRefusal(
          413,
          'RequestEntityTooLarge',
          `A call carries at most ${MAX_SOCIAL_ITEMS} posts, this one ${items.length}: split it (nothing of this one was kept).`,
        );

      // Reduce each item at the door; only what the city keeps goes on.
      const reduced: SocialItem[] = items.map((item) =>
        socialPostEntity(item, key),
      );
      const forwarded = reduced.flatMap((item, index) =>
        item.ok ? [{ index, entity: item.entity }] : [],
      );
      let dispatched: EntityResult[] = [];
      if (forwarded.length > 0) {
        try {
          dispatched = await dispatcher.dispatch({
            requestId,
            operationName: OPERATION_NAME,
            viewer,
            clientName: requestHeader(req, CLIENT_NAME_HEADER),
            clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
            format: 'ngsi-ld',
            keyValues: false,
            source: { kind: 'partner', id: viewer.subject },
            entities: forwarded.map((f) => f.entity),
          });
        } catch (error) {
          if (!(error instanceof DispatchUnavailableError)) throw error;
          throw new SocialRefusal(503, 'ServiceUnavailable', error.message);
        }
      }
      const results: ItemResult[] = reduced.map((item, index) =>
        item.ok
          ? { index, postId: null, status: 'failed' }
          : {
              index,
              postId: null,
              status: 'rejected',
              reason: item.reason,
              detail: item.detail,
            },
      );
      forwarded.forEach(({ index, entity }, k) => {
        const result = dispatched[k];
        const postId = graphId(
          typeof entity['id'] === 'string' ? entity['id'] : null,
        );
        results[index] = !result
          ? {
              index,
              postId,
              status: 'failed',
              detail: 'No outcome: send it again.',
            }
          : result.ok
            ? { index, postId, status: result.created ? 'stored' : 'duplicate' }
            : {
                index,
                postId,
                status:
                  result.problem.code === undefined ? 'failed' : 'rejected',
                reason: result.problem.code ?? 'InternalError',
                detail: result.problem.detail,
              };
      });
      const refusedAtDoor = reduced.filter((r) => !r.ok).length;
      if (refusedAtDoor > 0 && forwarded.length === 0)
        await refusal('NoPostKept');
      const ok = results.every(
        (r) => r.status === 'stored' || r.status === 'duplicate',
      );
      send(res, ok ? 200 : 207, {
        stored: results.filter((r) => r.status === 'stored').length,
        duplicates: results.filter((r) => r.status === 'duplicate').length,
        rejected: results.filter((r) => r.status === 'rejected').length,
        failed: results.filter((r) => r.status === 'failed').length,
        results,
      });
    } catch (error) {
      if (!(error instanceof SocialRefusal)) throw error;
      await refusal(error.error);
      send(res, error.status, {
        error: error.error,
        description: error.message,
      });
    }
  };

  return {
    matches: (_req, url) => url.pathname === SOCIAL_STATUSES_PATH,
    handle: (req, res, { requestId }) => handle(req, res, requestId),
  };
}
