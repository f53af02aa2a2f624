/** Governance's models, bound to the subgraph's own connection (the governance database). */
import type { Connection, Model } from 'mongoose';
import { auditEventSchema, type AuditEventDoc } from './AuditEvent.js';

/** Compiles the models on `connection` (once per connection; a second server on it reuses them). */
export function createModels(connection: Connection) {
  return {
    AuditEvent:
      (connection.models['AuditEvent'] as Model<AuditEventDoc> | undefined) ??
      connection.model<AuditEventDoc>('AuditEvent', auditEventSchema),
  };
}

export type { AuditEventDoc };

/** Every governance model. */
export type GovernanceModels = ReturnType<typeof createModels>;
