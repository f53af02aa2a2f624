/**
 * The shape of one audit event: what the gateway records for every
 * operation, and what is stored (hash-chained) in the governance database's
 * `audit_events` collection. Never variable values, never the caller's token.
 */

/** The collection of the governance database that holds the audit trail. */
export const AUDIT_EVENTS_COLLECTION = 'audit_events';

/** The `prevHash` of the first event of every chain (64 zeros). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What the subgraph that owns a protected field decided for the caller:
 * `allowed` or `denied`, as it reported it (lib/records/access
 * enforcementReport); `unevaluated` when the operation asked for the field
 * but no subgraph evaluated it (its parent was null, its subgraph failed, or,
 * in a `started` event, before execution), so it was not served.
 */
export type AuditDecision = 'allowed' | 'denied' | 'unevaluated';

/**
 * How the operation ended; `started` is the event of a write recorded
 * before it is sent (its end is a second event with the same request id).
 */
export type AuditOutcome =
  'success' | 'partial' | 'error' | 'refused' | 'started';

/** One protected field the operation asked for, with the rule and the decision. */
export interface AuditFieldDecision {
  /** Schema coordinate, e.g. `CitizenReport.reporterEmail`. */
  readonly coordinate: string;
  /** The rule that decided, in words: `scope engagement:pii`, `document rule canControlTrafficLight: ...`. */
  readonly rule: string;
  /** The decision for the caller of this operation. */
  readonly decision: AuditDecision;
}

/**
 * A protected record an operation was served: its key, never its values
 * (issue 14). Reported by the subgraph that owns it.
 */
export interface AuditedRecord {
  /** The GraphQL type, e.g. `CitizenReport`. */
  readonly type: string;
  /** Its key, e.g. `eng-cr-00042`. */
  readonly id: string;
  /** The account (`sub`) the record is about, when its department declares one; else null. */
  readonly subject: string | null;
  /** The protected fields served on it (coordinates). */
  readonly fields: readonly string[];
  /** Whether one of those fields is personal data. */
  readonly personalData: boolean;
}

/** What the gateway hands to `record()`: an event before it is chained. */
export interface AuditEventInput {
  /** When the operation started. */
  readonly at: Date;
  /** The gateway's request id (also in logs and forwarded to subgraphs). */
  readonly requestId: string;
  /** The caller's `sub`; `null` for anonymous callers. */
  readonly subject: string | null;
  /** The caller's scopes (never the token itself). */
  readonly scopes: readonly string[];
  /**
   * The purpose the caller declared for the request (`x-data-purpose`), or null.
   * @default null
   */
  readonly purpose?: string | null;
  /** `apollographql-client-name` header, or null. */
  readonly clientName: string | null;
  /** `apollographql-client-version` header, or null. */
  readonly clientVersion: string | null;
  /** The operation name, or null for an anonymous operation or an unparsable document. */
  readonly operationName: string | null;
  /** sha256 of the normalized document (no literal values); null when the document could not be parsed. */
  readonly documentHash: string | null;
  /** The protected fields the operation asked for, with the decision for each. */
  readonly fields: readonly AuditFieldDecision[];
  /**
   * The protected records served, as their subgraphs reported them.
   * @default []
   */
  readonly records?: readonly AuditedRecord[];
  /** The subgraphs the gateway called for this operation. */
  readonly subgraphs: readonly string[];
  /** How the operation ended. */
  readonly outcome: AuditOutcome;
  /** Distinct `extensions.code` of the errors in the response. */
  readonly errorCodes: readonly string[];
  /** Gateway time spent on the operation, in milliseconds. */
  readonly durationMs: number;
}

/** An event as stored: the input plus its place in the hash chain. */
export interface AuditEvent extends AuditEventInput {
  /** The chain (one per gateway replica, `AUDIT_CHAIN_ID`). */
  readonly chainId: string;
  /** Position in the chain, from 1, without gaps; unique per chain. */
  readonly seq: number;
  /** `hash` of the event at `seq - 1`, or {@link GENESIS_HASH} for seq 1. */
  readonly prevHash: string;
  /** sha256 (hex) of the canonical serialization of every other field (see `hashAuditEvent`). */
  readonly hash: string;
}
