/**
 * The signature of an operation, shared by the audit trail and usage
 * recording: a hash of the normalized document (literals stripped, fields
 * sorted, so the same operation with other values has the same hash) and the
 * schema coordinates (`Type.field`) it touches. Uses Apollo's own
 * usage-reporting normalization rather than one of ours.
 */
import { createHash } from 'node:crypto';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import {
  calculateReferencedFieldsByType,
  usageReportingSignature,
} from '@apollo/utils.usagereporting';

/** What identifies an operation, without any variable value. */
export interface OperationSignature {
  /** sha256 (hex) of the normalized document. */
  hash: string;
  /** The normalized document itself (no literal values). */
  normalized: string;
  /** The operation name, or null for an anonymous operation. */
  name: string | null;
  /** Every `Type.field` the operation selects, sorted. */
  coordinates: string[];
}

/** Computes the signature of the operation `operationName` of `document` against the API schema. */
export function operationSignature(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationSignature {
  const normalized = usageReportingSignature(document, operationName ?? '');
  const referenced = calculateReferencedFieldsByType({
    document,
    schema,
    resolvedOperationName: operationName ?? null,
  });
  const coordinates: string[] = [];
  for (const [type, { fieldNames }] of Object.entries(referenced)) {
    for (const field of fieldNames) coordinates.push(`${type}.${field}`);
  }
  coordinates.sort();
  return {
    hash: createHash('sha256').update(normalized).digest('hex'),
    normalized,
    name: operationName ?? null,
    coordinates,
  };
}

// Signatures per schema (a hot-reloaded supergraph is a new schema object,
// so its operations are recomputed) and per query hash + operation name:
// the audit and usage plugins share one computation per operation.
const SIGNATURE_CACHE_SIZE = 2000;
const signatures = new WeakMap<
  GraphQLSchema,
  Map<string, OperationSignature>
>();

/**
 * {@link operationSignature}, memoized per schema and query hash (Apollo
 * Server's sha256 of the document text); without a hash it is computed.
 */
export function cachedOperationSignature(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  queryHash: string | undefined,
): OperationSignature {
  if (!queryHash) return operationSignature(schema, document, operationName);
  let perSchema = signatures.get(schema);
  if (!perSchema) {
    perSchema = new Map();
    signatures.set(schema, perSchema);
  }
  const key = `${queryHash}:${operationName ?? ''}`;
  let signature = perSchema.get(key);
  if (!signature) {
    signature = operationSignature(schema, document, operationName);
    if (perSchema.size >= SIGNATURE_CACHE_SIZE) perSchema.clear();
    perSchema.set(key, signature);
  }
  return signature;
}
