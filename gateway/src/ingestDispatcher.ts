/**
 * How the gateway hands a batch of FIWARE entities to the departments that
 * own them, whatever door it came through (the NGSI endpoints, the MQTT
 * bridge): route each entity by type (lib/ingest/ingestTypes.ts), check the
 * caller's ingest scope per department, record the batch in the audit trail
 * before any department sees it, post each department's entities to its
 * internal `/ingest` with a gateway token (at most 1,000 per call, so each call
 * stays within its timeout), and record the outcome
 * (docs/decisions/0009-ingestion-hand-over-over-internal-http.md).
 */
import type { KeyObject } from 'node:crypto';
import type { IngestOutcome } from '../../lib/ingest/createIngestPipeline.js';
import {
  INGEST_PATH,
  type IngestRequestBody,
  type IngestResponseBody,
} from '../../lib/ingest/ingestRequest.js';
import {
  departmentForEntity,
  ingestScope,
} from '../../lib/ingest/ingestTypes.js';
import { peekIdAndType, type NgsiFormat } from '../../lib/ingest/ngsiEntity.js';
import {
  NgsiLdErrorType,
  rejectionProblem,
  type ProblemDetails,
} from '../../lib/ingest/ngsiProblems.js';
import type {
  RecordSource,
  RejectionReason,
} from '../../lib/ingest/quality.js';
import type { AuditEventInput } from '../../lib/records/audit/AuditEvent.js';
import type { AuditTrail } from '../../lib/records/audit/index.js';
import type { Config, Department } from '../../lib/runtime/config.js';
import {
  GATEWAY_TOKEN_HEADER,
  signGatewayToken,
} from '../../lib/runtime/gatewayToken.js';
import { REQUEST_ID_HEADER } from '../../lib/runtime/http.js';
import type { Logger } from '../../lib/runtime/logger.js';
import type { Viewer } from '../../lib/runtime/viewer.js';

/** Entities handed to a department per internal call. */
const HAND_OVER_CHUNK = 1000;

/** One entity's answer. */
export type EntityResult =
  | {
      readonly ok: true;
      readonly entityId: string | null;
      readonly created: boolean;
    }
  | {
      readonly ok: false;
      readonly entityId: string | null;
      readonly problem: ProblemDetails;
    };

/** Options of {@link createIngestDispatcher}. */
export interface IngestDispatcherOptions {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  /** The gateway's own key for the tokens it sends to departments. */
  readonly signingKey: KeyObject;
  readonly audit: Pick<AuditTrail, 'record'>;
  /** Each subgraph's GraphQL URL now (from the supergraph, with `<NAME>_URL` overrides). */
  readonly subgraphUrls: () => ReadonlyMap<string, string>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Told the graph ids of the readings a department created, before the
   * sender gets its answer (the response cache drops their devices' answers).
   */
  readonly onCreated?: (
    department: Department,
    recordIds: readonly string[],
  ) => Promise<void>;
}

/** One batch to dispatch. */
export interface DispatchBatch {
  readonly requestId: string;
  /** The audit trail's operation name, e.g. `NGSI-LD entityOperations/upsert`. */
  readonly operationName: string;
  readonly viewer: Viewer;
  readonly clientName: string | null;
  readonly clientVersion: string | null;
  readonly format: NgsiFormat;
  readonly keyValues: boolean;
  readonly source: RecordSource;
  readonly entities: readonly unknown[];
  /**
   * Per-entity checks of the door before routing (e.g. NGSI-LD's `@context`
   * rule, a device's signature): a refusal, or null.
   */
  readonly precheck?:
    | ((entity: unknown) => { reason: RejectionReason; detail: string } | null)
    | undefined;
}

/** What went wrong before any entity could be looked at. */
export class DispatchUnavailableError extends Error {
  constructor() {
    super(
      'The batch cannot be recorded in the audit trail now, so nothing of it was accepted: send it again later.',
    );
    this.name = 'DispatchUnavailableError';
  }
}

/** The gateway's ingest dispatcher. */
export interface IngestDispatcher {
  /**
   * One result per entity, in order.
   * @throws DispatchUnavailableError when the audit trail cannot record the batch (nothing was handed over).
   */
  dispatch(batch: DispatchBatch): Promise<EntityResult[]>;
  /** Records a whole-batch refusal in the audit trail (never throws). */
  recordRefusal(
    batch: Pick<
      DispatchBatch,
      'requestId' | 'operationName' | 'clientName' | 'clientVersion'
    > & { viewer: Viewer | null; code: string; durationMs: number },
  ): Promise<void>;
}

const problem = (
  type: string,
  title: string,
  detail: string,
): ProblemDetails => ({ type, title, detail });

/** Builds the dispatcher. */
export function createIngestDispatcher(
  options: IngestDispatcherOptions,
): IngestDispatcher {
  const doFetch = options.fetch ?? globalThis.fetch;

  const record = async (event: AuditEventInput, logger: Logger) => {
    try {
      await options.audit.record(event);
      return true;
    } catch (error) {
      logger.error(
        {
          requestId: event.requestId,
          err: error instanceof Error ? error.message : String(error),
        },
        'audit event of an ingest batch not recorded',
      );
      return false;
    }
  };

  const handOver = async (
    department: Department,
    body: IngestRequestBody,
    viewer: Viewer,
    requestId: string,
    logger: Logger,
  ): Promise<IngestOutcome[] | string> => {
    const url = options.subgraphUrls().get(department);
    if (!url) return `the ${department} service has no address`;
    // Encoded once: the token hashes these bytes and fetch sends them (a
    // string body was encoded to UTF-8 twice, about 250 KB per batch of 500).
    // The token is signed per hand-over, never cached: it is bound to this
    // body (`bh`) and accepted once (`jti`), which is what makes a captured
    // one worthless (lib/runtime/gatewayToken.ts; docs/ingestion.md).
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    const token = await signGatewayToken(options.signingKey, {
      viewer,
      requestId,
      ttlSeconds: options.config.gatewayToken.ttlSeconds,
      subgraph: department,
      body: bytes,
      auditEvent: requestId,
    });
    const timeoutMs = options.config.subgraphs[department].timeoutMs;
    try {
      const response = await doFetch(new URL(INGEST_PATH, url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [GATEWAY_TOKEN_HEADER]: token,
          [REQUEST_ID_HEADER]: requestId,
        },
        body: bytes,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = await response.text();
      if (!response.ok) {
        logger.warn(
          { department, status: response.status },
          'ingest hand-over refused',
        );
        return `the ${department} service refused the hand-over (HTTP ${response.status})`;
      }
      const parsed = JSON.parse(answer) as IngestResponseBody;
      if (
        !Array.isArray(parsed.outcomes) ||
        parsed.outcomes.length !== body.entities.length
      )
        return `the ${department} service answered an unexpected hand-over result`;
      return [...parsed.outcomes];
    } catch (error) {
      logger.warn(
        {
          department,
          err: error instanceof Error ? error.message : String(error),
        },
        'ingest hand-over failed',
      );
      return error instanceof Error && error.name === 'TimeoutError'
        ? `the ${department} service did not answer within ${timeoutMs} ms`
        : `the ${department} service is unavailable`;
    }
  };

  return {
    async recordRefusal(refusal) {
      await record(
        {
          at: new Date(),
          requestId: refusal.requestId,
          subject: refusal.viewer?.subject ?? null,
          scopes: refusal.viewer ? [...refusal.viewer.scopes] : [],
          clientName: refusal.clientName,
          clientVersion: refusal.clientVersion,
          operationName: refusal.operationName,
          documentHash: null,
          fields: [],
          subgraphs: [],
          outcome: 'refused',
          errorCodes: [refusal.code],
          durationMs: refusal.durationMs,
        },
        options.logger,
      );
    },

    async dispatch(batch) {
      const started = performance.now();
      const { requestId, viewer, entities, format } = batch;
      const logger = options.logger.child({ requestId });
      const baseEvent = () => ({
        at: new Date(),
        requestId,
        subject: viewer.subject,
        scopes: [...viewer.scopes],
        clientName: batch.clientName,
        clientVersion: batch.clientVersion,
        operationName: batch.operationName,
        documentHash: null,
        fields: [],
      });

      // Route each entity to its department.
      const results = new Array<EntityResult>(entities.length);
      const byDepartment = new Map<Department, number[]>();
      entities.forEach((entity, index) => {
        const { id, type } = peekIdAndType(entity, format);
        const fail = (reason: RejectionReason, detail: string) => {
          results[index] = {
            ok: false,
            entityId: id,
            problem: rejectionProblem(reason, detail),
          };
        };
        if (id === null || type === null) {
          fail('MALFORMED_ENTITY', 'The entity needs an "id" and a "type".');
          return;
        }
        const refused = batch.precheck?.(entity) ?? null;
        if (refused) {
          fail(refused.reason, refused.detail);
          return;
        }
        const department = departmentForEntity(type, id);
        if (department === undefined) {
          fail(
            'UNKNOWN_TYPE',
            `No department ingests ${type}${type === 'Device' ? ` with id ${id}` : ''}: see docs/ingestion.md for the types the city accepts.`,
          );
          return;
        }
        if (!viewer.scopes.has(ingestScope(department))) {
          fail(
            'FORBIDDEN',
            `${type} belongs to ${department}: sending it needs the ${ingestScope(department)} scope.`,
          );
          return;
        }
        const list = byDepartment.get(department) ?? [];
        list.push(index);
        byDepartment.set(department, list);
      });

      // The audit trail knows of the batch before any department does.
      const departments = [...byDepartment.keys()];
      if (departments.length > 0) {
        const recorded = await record(
          {
            ...baseEvent(),
            subgraphs: departments,
            outcome: 'started',
            errorCodes: [],
            durationMs: performance.now() - started,
          },
          logger,
        );
        if (!recorded) throw new DispatchUnavailableError();
      }

      const receivedAt = new Date().toISOString();
      for (const [department, indexes] of byDepartment) {
        for (let i = 0; i < indexes.length; i += HAND_OVER_CHUNK) {
          const chunk = indexes.slice(i, i + HAND_OVER_CHUNK);
          const outcomes = await handOver(
            department,
            {
              format,
              keyValues: batch.keyValues,
              source: batch.source,
              receivedAt,
              entities: chunk.map((index) => entities[index]),
            },
            viewer,
            requestId,
            logger,
          );
          if (typeof outcomes !== 'string' && options.onCreated) {
            const created = outcomes.flatMap((o) =>
              o.status === 'created' ? [o.recordId] : [],
            );
            if (created.length > 0)
              await options
                .onCreated(department, created)
                .catch((error: unknown) =>
                  logger.error(
                    {
                      department,
                      err:
                        error instanceof Error ? error.message : String(error),
                    },
                    'created readings not reported to the response cache',
                  ),
                );
          }
          chunk.forEach((index, k) => {
            const { id } = peekIdAndType(entities[index], format);
            results[index] =
              typeof outcomes === 'string'
                ? {
                    ok: false,
                    entityId: id,
                    problem: problem(
                      NgsiLdErrorType.InternalError,
                      'Department unavailable',
                      `Not stored: ${outcomes}. Send it again (resending is safe: a record is counted once).`,
                    ),
                  }
                : toResult(outcomes[k], id);
          });
        }
      }

      const failures = results.filter((r) => !r.ok);
      const codes = [
        ...new Set(
          failures.map((f) =>
            f.ok ? '' : (f.problem.code ?? 'InternalError'),
          ),
        ),
      ].sort();
      await record(
        {
          ...baseEvent(),
          subgraphs: departments,
          outcome:
            failures.length === 0
              ? 'success'
              : failures.length === results.length
                ? 'error'
                : 'partial',
          errorCodes: codes,
          durationMs: performance.now() - started,
        },
        logger,
      );
      logger.info(
        {
          operation: batch.operationName,
          entities: results.length,
          failed: failures.length,
          departments,
        },
        'ingest batch',
      );
      return results;
    },
  };
}

/** One department outcome as an entity result. */
function toResult(
  outcome: IngestOutcome | undefined,
  entityId: string | null,
): EntityResult {
  if (outcome === undefined)
    return {
      ok: false,
      entityId,
      problem: problem(
        NgsiLdErrorType.InternalError,
        'No outcome',
        'The department gave no outcome for this entity: send it again.',
      ),
    };
  switch (outcome.status) {
    case 'created':
    case 'duplicate':
      return { ok: true, entityId, created: outcome.status === 'created' };
    case 'rejected':
      return {
        ok: false,
        entityId,
        problem: rejectionProblem(
          outcome.reason,
          outcome.quarantined
            ? `${outcome.detail} (kept in the quarantine for staff to replay once fixed)`
            : outcome.detail,
        ),
      };
    case 'failed':
      return {
        ok: false,
        entityId,
        problem: problem(
          NgsiLdErrorType.InternalError,
          'Not stored',
          outcome.detail,
        ),
      };
  }
}
