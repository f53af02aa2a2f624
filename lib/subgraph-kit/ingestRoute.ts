/**
 * `POST /ingest` on a department's subgraph service: the gateway hands over
 * the entities of a batch that this department owns (lib/ingest/ingestRequest.ts).
 * Verified exactly like `/graphql` (a gateway token for this subgraph, bound
 * to this body, used once) and, since it writes, linked to the audit event
 * the gateway recorded first; the caller the token names must hold this
 * department's ingest scope. Nothing else may reach the pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { IngestPipeline } from '../ingest/createIngestPipeline.js';
import {
  INGEST_PATH,
  readIngestRequest,
  type IngestResponseBody,
} from '../ingest/ingestRequest.js';
import { ingestScope } from '../ingest/ingestTypes.js';
import type { Department } from '../runtime/config.js';
import {
  GATEWAY_TOKEN_HEADER,
  verifyGatewayToken,
} from '../runtime/gatewayToken.js';
import { HttpError, readBody, type HttpRoute } from '../runtime/http.js';
import type { Logger } from '../runtime/logger.js';
import type { ReplayStore } from '../runtime/replayStore.js';

/** Largest hand-over accepted (the gateway's own limit is below it). */
export const INGEST_ROUTE_MAX_BYTES = 32 * 1024 * 1024;

/** Options of {@link createIngestRoute}. */
export interface IngestRouteOptions {
  readonly department: Department;
  readonly pipeline: IngestPipeline;
  readonly gatewayKey: KeyObject;
  readonly replay: ReplayStore;
  readonly logger: Logger;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** The internal ingest route of a department. */
export function createIngestRoute(options: IngestRouteOptions): HttpRoute {
  const { department, pipeline, logger } = options;
  return {
    matches: (_req: IncomingMessage, url: URL) => url.pathname === INGEST_PATH,
    async handle(req, res) {
      if (req.method !== 'POST')
        throw new HttpError(405, `${INGEST_PATH} accepts POST only.`);
      const raw = await readBody(req, INGEST_ROUTE_MAX_BYTES);
      const header = req.headers[GATEWAY_TOKEN_HEADER];
      let verified;
      try {
        verified = await verifyGatewayToken(
          options.gatewayKey,
          typeof header === 'string' ? header : undefined,
          { subgraph: department, body: raw, replay: options.replay },
        );
      } catch (error) {
        logger.warn(
          {
            remoteAddress: req.socket.remoteAddress,
            reason: error instanceof Error ? error.message : String(error),
          },
          'ingest refused: no valid gateway token',
        );
        throw new HttpError(
          401,
          'Only the gateway may hand over records.',
          'UNAUTHENTICATED',
        );
      }
      if (verified.auditEvent === null)
        throw new HttpError(
          403,
          'Records are accepted only after the gateway has recorded their audit event.',
          'FORBIDDEN',
        );
      if (!verified.viewer.scopes.has(ingestScope(department)))
        throw new HttpError(
          403,
          `The caller lacks ${ingestScope(department)}.`,
          'FORBIDDEN',
        );
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'The hand-over is not valid JSON.');
      }
      const request = readIngestRequest(body);
      if (typeof request === 'string')
        throw new HttpError(400, `Invalid hand-over: ${request}.`);
      const outcomes = await pipeline.ingest({
        format: request.format,
        keyValues: request.keyValues,
        entities: request.entities,
        source: request.source,
        receivedAt: new Date(request.receivedAt),
      });
      logger.info(
        {
          requestId: verified.requestId,
          entities: outcomes.length,
          created: outcomes.filter((o) => o.status === 'created').length,
          rejected: outcomes.filter((o) => o.status === 'rejected').length,
          failed: outcomes.filter((o) => o.status === 'failed').length,
        },
        'ingest batch',
      );
      const response: IngestResponseBody = { outcomes };
      send(res, 200, response);
    },
  };
}
