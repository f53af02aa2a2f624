/**
 * Writes a composed supergraph and what is derived from it: the auditors'
 * access-rules table (docs/access-rules.md) is regenerated with every
 * supergraph written, so the two never drift (CI checks both).
 */
import {
  formatAccessRulesMarkdown,
  readAccessRules,
} from '../../records/access/index.js';
import { writeFileAtomic } from './writeFileAtomic.js';

/** Where {@link writeSupergraph} writes. */
export interface SupergraphOutputs {
  /** supergraph.graphql */
  supergraphPath: string;
  /** docs/access-rules.md; omitted = not written (tests of fixtures). */
  accessRulesPath?: string | undefined;
}

/** Writes the supergraph, then its access-rules table, each atomically. */
export async function writeSupergraph(
  supergraphSdl: string,
  outputs: SupergraphOutputs,
): Promise<void> {
  await writeFileAtomic(outputs.supergraphPath, supergraphSdl);
  if (outputs.accessRulesPath) {
    await writeFileAtomic(
      outputs.accessRulesPath,
      formatAccessRulesMarkdown(readAccessRules(supergraphSdl).fields),
    );
  }
}
