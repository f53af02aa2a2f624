/**
 * The audit trail of the city graph: an append-only, hash-chained log of
 * every operation the gateway serves, in the governance database.
 */
export {
  AUDIT_EVENTS_COLLECTION,
  GENESIS_HASH,
  type AuditDecision,
  type AuditEvent,
  type AuditEventInput,
  type AuditFieldDecision,
  type AuditedRecord,
  type AuditOutcome,
} from './AuditEvent.js';
export { canonicalJson, hashAuditEvent } from './hashAuditEvent.js';
export {
  createAuditTrail,
  type AuditStore,
  type AuditTrail,
  type AuditTrailOptions,
} from './createAuditTrail.js';
export {
  verifyAuditChain,
  type AuditChainAnchor,
  type AuditChainBreak,
  type AuditChainBreakReason,
  type AuditChainReport,
  type VerifyAuditChainOptions,
} from './verifyAuditChain.js';
export {
  AUDIT_CHECKPOINTS_COLLECTION,
  createAuditCheckpointer,
  readAuditCheckpoints,
  signAuditCheckpoint,
  verifyAuditCheckpoint,
  type AuditCheckpoint,
  type AuditCheckpointer,
  type AuditCheckpointerOptions,
} from './auditCheckpoints.js';
export {
  formatAuditChainReports,
  parseAuditAnchors,
} from './formatAuditChainReports.js';
