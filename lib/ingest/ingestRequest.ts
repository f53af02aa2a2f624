/**
 * The internal hand-over of a batch from the gateway to the department that
 * owns its entities: `POST /ingest` on the department's subgraph service,
 * with a gateway token bound to the body like every gateway-to-subgraph call
 * (docs/decisions/0009-ingestion-hand-over-over-internal-http.md).
 */
import type { IngestOutcome } from './createIngestPipeline.js';
import type { NgsiFormat } from './ngsiEntity.js';
import type { RecordSource, RecordSourceKind } from './quality.js';

/** The path of the internal route on every department's subgraph service. */
export const INGEST_PATH = '/ingest';

/** The body of `POST /ingest`. */
export interface IngestRequestBody {
  readonly format: NgsiFormat;
  readonly keyValues: boolean;
  readonly source: RecordSource;
  /** When the gateway (or bridge) received the batch, ISO 8601. */
  readonly receivedAt: string;
  /** The entities of this department, as received. */
  readonly entities: readonly unknown[];
}

/** The answer of `POST /ingest`: one outcome per entity, in order. */
export interface IngestResponseBody {
  readonly outcomes: readonly IngestOutcome[];
}

const SOURCE_KINDS: readonly RecordSourceKind[] = [
  'partner',
  'device',
  'import',
  'seed',
];

/** Reads a `POST /ingest` body; a string naming the problem when it is not one. */
export function readIngestRequest(body: unknown): IngestRequestBody | string {
  if (typeof body !== 'object' || body === null)
    return 'body must be an object';
  const b = body as Record<string, unknown>;
  if (b['format'] !== 'ngsi-ld' && b['format'] !== 'ngsi-v2')
    return 'format must be ngsi-ld or ngsi-v2';
  if (typeof b['keyValues'] !== 'boolean') return 'keyValues must be a boolean';
  const source = b['source'] as Record<string, unknown> | null | undefined;
  if (
    typeof source !== 'object' ||
    source === null ||
    !SOURCE_KINDS.includes(source['kind'] as RecordSourceKind) ||
    typeof source['id'] !== 'string'
  )
    return 'source must be { kind, id }';
  if (
    typeof b['receivedAt'] !== 'string' ||
    Number.isNaN(Date.parse(b['receivedAt']))
  )
    return 'receivedAt must be an ISO 8601 date-time';
  if (!Array.isArray(b['entities'])) return 'entities must be an array';
  return {
    format: b['format'],
    keyValues: b['keyValues'],
    source: { kind: source['kind'] as RecordSourceKind, id: source['id'] },
    receivedAt: b['receivedAt'],
    entities: b['entities'],
  };
}
