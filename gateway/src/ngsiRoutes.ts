/**
 * The city's FIWARE endpoints on the gateway's host (the one address
 * partners know), beside /graphql:
 * - NGSI-LD `POST /ngsi-ld/v1/entityOperations/upsert` (ETSI GS CIM 009):
 *   201 with the created ids, 204 when every entity was already there, 207
 *   `{ success, errors: [{ entityId, error: ProblemDetails }] }` otherwise;
 * - NGSI-v2 `POST /v2/op/update` (actionType append, append_strict or
 *   update): 204, or 4xx `{ error, description }`.
 *
 * Callers are authenticated like any caller of the graph; each entity is
 * routed by its type to the department that owns it (lib/ingest/ingestTypes.ts)
 * and needs that department's ingest scope. The gateway records the batch in
 * the audit trail before handing anything over (a `started` event, whose id
 * the department requires in the gateway token) and its outcome after. The
 * hand-over is the department's internal `POST /ingest`, signed like every
 * gateway-to-subgraph call (docs/decisions/0009-ingestion-hand-over-over-internal-http.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallerAuthenticator } from '../../lib/gateway/createCallerAuthenticator.js';
import { peekIdAndType, type NgsiFormat } from '../../lib/ingest/ngsiEntity.js';
import { SOCIAL_POST_TYPE } from '../../lib/ingest/socialStatus.js';
import {
  CityErrorType,
  NgsiLdErrorType,
  type ProblemDetails,
} from '../../lib/ingest/ngsiProblems.js';
import type { Config } from '../../lib/runtime/config.js';
import { UnauthenticatedError } from '../../lib/runtime/errors.js';
import {
  HttpError,
  readBody,
  type HttpRoute,
  type HttpRouteRequest,
} from '../../lib/runtime/http.js';
import type { Logger } from '../../lib/runtime/logger.js';
import type { Viewer } from '../../lib/runtime/viewer.js';
import {
  CLIENT_NAME_HEADER,
  CLIENT_VERSION_HEADER,
  requestHeader,
} from './context.js';
import {
  DispatchUnavailableError,
  type EntityResult,
  type IngestDispatcher,
} from './ingestDispatcher.js';

/** The NGSI-LD batch upsert path. */
export const NGSI_LD_UPSERT_PATH = '/ngsi-ld/v1/entityOperations/upsert';
/** The NGSI-v2 batch update path. */
export const NGSI_V2_UPDATE_PATH = '/v2/op/update';

/** Largest batch body accepted (413 above). */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Most entities in one batch (refused whole above). */
export const MAX_BATCH_ENTITIES = 10_000;

const JSON_LD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

/** Options of {@link createNgsiRoutes}. */
export interface NgsiRoutesOptions {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly authenticate: CallerAuthenticator;
  /** Routes, audits and hands over each batch (shared with the MQTT bridge). */
  readonly dispatcher: IngestDispatcher;
}

/** Which API a request speaks. */
type Flavor = 'ld' | 'v2';

/** A whole-request refusal, in the API's own error shape. */
class BatchRefusal extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
    /** The v2 `error` name. */
    readonly v2Error: string,
  ) {
    super(problem.detail);
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', `${contentType}; charset=utf-8`);
  res.end(JSON.stringify(body));
}

/** The media type of the Content-Type header, lower case, without parameters. */
function mediaType(req: IncomingMessage): string | null {
  const value = req.headers['content-type'];
  if (typeof value !== 'string') return null;
  return value.split(';')[0]?.trim().toLowerCase() ?? null;
}

/** The JSON-LD context a Link header names (`rel="http://www.w3.org/ns/json-ld#context"`), or null. */
function linkedContext(req: IncomingMessage): string | null {
  const value = req.headers['link'];
  if (typeof value !== 'string') return null;
  for (const part of value.split(',')) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (match?.[2]?.includes(`rel="${JSON_LD_CONTEXT_REL}"`))
      return match[1] ?? null;
  }
  return null;
}

const problem = (
  type: string,
  title: string,
  detail: string,
): ProblemDetails => ({ type, title, detail });

/** The FIWARE NGSI routes of the gateway. */
export function createNgsiRoutes(options: NgsiRoutesOptions): HttpRoute[] {
  const { dispatcher } = options;

  const handle = async (
    flavor: Flavor,
    req: IncomingMessage,
    res: ServerResponse,
    request: HttpRouteRequest,
  ) => {
    const started = performance.now();
    const { requestId } = request;
    const logger = options.logger.child({ requestId });
    const format: NgsiFormat = flavor === 'ld' ? 'ngsi-ld' : 'ngsi-v2';
    const operationName =
      flavor === 'ld' ? 'NGSI-LD entityOperations/upsert' : 'NGSI-v2 op/update';
    const refuse = (refusal: BatchRefusal) => {
      if (flavor === 'ld')
        sendJson(res, refusal.status, refusal.problem, 'application/json');
      else
        sendJson(res, refusal.status, {
          error: refusal.v2Error,
          description: refusal.problem.detail,
        });
    };

    let viewer: Viewer | null = null;
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new BatchRefusal(
          405,
          problem(
            NgsiLdErrorType.OperationNotSupported,
            'Method not allowed',
            `${request.url.pathname} accepts POST only.`,
          ),
          'MethodNotAllowed',
        );
      }
      // Who is asking: a partner or device gateway with a token.
      try {
        viewer = await options.authenticate(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
        throw new BatchRefusal(
          401,
          problem(CityErrorType.Unauthorized, 'Unauthorized', error.message),
          'Unauthorized',
        );
      }
      if (viewer.subject === null)
        throw new BatchRefusal(
          401,
          problem(
            CityErrorType.Unauthorized,
            'Unauthorized',
            'Sending records needs a bearer token with the ingest scope of the department that owns them (e.g. mobility:ingest).',
          ),
          'Unauthorized',
        );

      // What it sent.
      const type = mediaType(req);
      const allowed =
        flavor === 'ld'
          ? ['application/ld+json', 'application/json']
          : ['application/json'];
      if (type === null || !allowed.includes(type))
        throw new BatchRefusal(
          415,
          problem(
            NgsiLdErrorType.InvalidRequest,
            'Unsupported media type',
            `Content-Type must be ${allowed.join(' or ')}, got ${type ?? 'none'}.`,
          ),
          'UnsupportedMediaType',
        );
      let raw: string;
      try {
        raw = await readBody(req, MAX_BATCH_BYTES);
      } catch (error) {
        if (error instanceof HttpError && error.status === 413)
          throw new BatchRefusal(
            413,
            problem(
              NgsiLdErrorType.BadRequestData,
              'Batch too large',
              `A batch is at most ${MAX_BATCH_BYTES} bytes: split it (nothing of this one was accepted).`,
            ),
            'RequestEntityTooLarge',
          );
        throw error;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new BatchRefusal(
          400,
          problem(
            NgsiLdErrorType.InvalidRequest,
            'Malformed JSON',
            'The request body is not valid JSON (nothing of it was accepted).',
          ),
          'ParseError',
        );
      }
      let entities: unknown[];
      let keyValues = false;
      if (flavor === 'ld') {
        if (!Array.isArray(body))
          throw new BatchRefusal(
            400,
            problem(
              NgsiLdErrorType.BadRequestData,
              'Not an array',
              'The body of entityOperations/upsert is an array of entities.',
            ),
            'BadRequest',
          );
        entities = body;
      } else {
        const b = body as Record<string, unknown> | null;
        const actionType = typeof b === 'object' && b ? b['actionType'] : null;
        if (
          typeof b !== 'object' ||
          b === null ||
          Array.isArray(b) ||
          !Array.isArray(b['entities'])
        )
          throw new BatchRefusal(
            400,
            problem(
              NgsiLdErrorType.BadRequestData,
              'Bad request',
              'The body of /v2/op/update is { "actionType": ..., "entities": [...] }.',
            ),
            'BadRequest',
          );
        if (
          actionType !== 'append' &&
          actionType !== 'append_strict' &&
          actionType !== 'update'
        )
          throw new BatchRefusal(
            400,
            problem(
              NgsiLdErrorType.OperationNotSupported,
              'Action not supported',
              `actionType ${JSON.stringify(actionType)} is not supported: observations are added with append, append_strict or update (the city never deletes or replaces records through this API).`,
            ),
            'BadRequest',
          );
        entities = b['entities'] as unknown[];
        keyValues = request.url.searchParams
          .getAll('options')
          .some((o) => o.split(',').includes('keyValues'));
      }
      if (entities.length === 0)
        throw new BatchRefusal(
          400,
          problem(
            NgsiLdErrorType.BadRequestData,
            'Empty batch',
            'The batch has no entity.',
          ),
          'BadRequest',
        );
      if (entities.length > MAX_BATCH_ENTITIES)
        throw new BatchRefusal(
          413,
          problem(
            NgsiLdErrorType.BadRequestData,
            'Too many entities',
            `A batch is at most ${MAX_BATCH_ENTITIES} entities, this one has ${entities.length}: split it (nothing of this one was accepted).`,
          ),
          'RequestEntityTooLarge',
        );

      // Route, audit and hand over (gateway/src/ingestDispatcher.ts).
      const contextInBody = type === 'application/ld+json';
      const ldContextCheck = (
        entity: unknown,
      ): { reason: 'MALFORMED_ENTITY'; detail: string } | null => {
        const hasContext =
          typeof entity === 'object' && entity !== null && '@context' in entity;
        if (contextInBody && !hasContext)
          return {
            reason: 'MALFORMED_ENTITY',
            detail:
              'With Content-Type application/ld+json each entity carries its "@context" (or send application/json with a Link header).',
          };
        if (!contextInBody && hasContext)
          return {
            reason: 'MALFORMED_ENTITY',
            detail:
              'An entity with "@context" is sent as application/ld+json (with application/json the context goes in a Link header).',
          };
        return null;
      };
      let results: EntityResult[];
      try {
        results = await dispatcher.dispatch({
          requestId,
          operationName,
          viewer,
          clientName: requestHeader(req, CLIENT_NAME_HEADER),
          clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
          format,
          keyValues,
          source: { kind: 'partner', id: viewer.subject },
          entities,
          precheck: (entity) => {
            // Posts come through the social webhook only, which
            // pseudonymizes their author at the door (socialRoutes.ts).
            if (peekIdAndType(entity, format).type === SOCIAL_POST_TYPE)
              return {
                reason: 'UNKNOWN_TYPE',
                detail: `${SOCIAL_POST_TYPE} is not taken over NGSI: push posts to /social/v1/statuses (docs/ingestion.md, "Social media").`,
              };
            return flavor === 'ld' ? ldContextCheck(entity) : null;
          },
        });
      } catch (error) {
        if (!(error instanceof DispatchUnavailableError)) throw error;
        throw new BatchRefusal(
          503,
          problem(
            CityErrorType.ServiceUnavailable,
            'Audit trail unavailable',
            error.message,
          ),
          'ServiceUnavailable',
        );
      }
      if (flavor === 'ld' && linkedContext(req) !== null)
        logger.debug({ context: linkedContext(req) }, 'NGSI-LD Link context');
      const failures = results.filter(
        (r): r is Extract<EntityResult, { ok: false }> => !r.ok,
      );
      if (flavor === 'ld') {
        if (failures.length === 0) {
          const created = results
            .filter((r) => r.ok && r.created)
            .map((r) => r.entityId);
          if (created.length === 0) sendJson(res, 204, undefined);
          else sendJson(res, 201, created);
        } else {
          sendJson(res, 207, {
            success: results.filter((r) => r.ok).map((r) => r.entityId),
            errors: failures.map((f) => ({
              entityId: f.entityId,
              error: f.problem,
            })),
          });
        }
      } else if (failures.length === 0) {
        sendJson(res, 204, undefined);
      } else {
        const accepted = results.length - failures.length;
        sendJson(res, 422, {
          error: 'PartialUpdate',
          description: `${failures.length} of ${results.length} entities were not accepted (${accepted} were): ${failures
            .slice(0, 20)
            .map(
              (f) =>
                `${f.entityId ?? '(no id)'}: ${f.problem.code ?? f.problem.title}: ${f.problem.detail}`,
            )
            .join(' | ')}${failures.length > 20 ? ' | ...' : ''}`,
        });
      }
    } catch (error) {
      if (!(error instanceof BatchRefusal)) throw error;
      await dispatcher.recordRefusal({
        requestId,
        operationName,
        clientName: requestHeader(req, CLIENT_NAME_HEADER),
        clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
        viewer,
        code: error.v2Error,
        durationMs: performance.now() - started,
      });
      refuse(error);
    }
  };

  const route = (path: string, flavor: Flavor): HttpRoute => ({
    matches: (_req, url) => url.pathname === path,
    handle: (req, res, request) => handle(flavor, req, res, request),
  });
  return [route(NGSI_LD_UPSERT_PATH, 'ld'), route(NGSI_V2_UPDATE_PATH, 'v2')];
}
