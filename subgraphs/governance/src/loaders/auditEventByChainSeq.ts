/** Loader: audit events by `chainId:seq`, one query per batch. */
import { createByKeyLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { AuditEventDoc, GovernanceModels } from '../models/index.js';

/** The key of an event: `chainId:seq` (the chain id may itself contain colons; seq never does). */
export function auditEventKey(chainId: string, seq: number): string {
  return `${chainId}:${seq}`;
}

/** Creates the loader of events by {@link auditEventKey}. */
export function auditEventByChainSeq(models: GovernanceModels) {
  return createByKeyLoader<string, AuditEventDoc>(
    async (keys) => {
      const wanted = keys.map((key) => {
        const at = key.lastIndexOf(':');
        return { chainId: key.slice(0, at), seq: Number(key.slice(at + 1)) };
      });
      return models.AuditEvent.find({ $or: wanted })
        .lean<AuditEventDoc[]>()
        .exec();
    },
    (doc) => auditEventKey(doc.chainId, doc.seq),
  );
}
