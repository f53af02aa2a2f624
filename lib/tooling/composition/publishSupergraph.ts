/**
 * `schema:publish`: the schema check, then, only if it passes, the new
 * supergraph written atomically over the committed one. A failing check
 * leaves supergraph.graphql untouched, byte for byte.
 */
import {
  checkSubgraphSchema,
  type CheckSubgraphSchemaInput,
  type SchemaCheckReport,
} from './checkSubgraphSchema.js';
import { writeSupergraph } from './writeSupergraph.js';

/** Outcome of {@link publishSupergraph}. */
export interface PublishResult {
  readonly report: SchemaCheckReport;
  /** Whether supergraph.graphql was written (false when the check failed or nothing changed). */
  readonly written: boolean;
}

/** Checks the change and, if it passes, writes the composed supergraph to `supergraphPath`. */
export async function publishSupergraph(
  input: CheckSubgraphSchemaInput,
  supergraphPath: string,
  /** docs/access-rules.md, regenerated with the supergraph. */
  accessRulesPath?: string,
): Promise<PublishResult> {
  const report = await checkSubgraphSchema(input);
  if (!report.passed || report.supergraphSdl === undefined)
    return { report, written: false };
  if (report.supergraphSdl === input.committedSupergraphSdl)
    return { report, written: false };
  await writeSupergraph(report.supergraphSdl, {
    supergraphPath,
    accessRulesPath,
  });
  return { report, written: true };
}
