/**
 * Gathers what a schema check needs from disk and the governance database:
 * supergraph.yaml, the candidate schema, the committed supergraph, the two
 * approvals files and recorded usage. Used by the schema:* commands.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../runtime/config.js';
import { openGovernanceUsage } from '../../records/usage/openGovernanceUsage.js';
import type { UsageStore } from '../../records/usage/usageStore.js';
import { loadApprovals } from './approvals.js';
import type {
  CheckSubgraphSchemaInput,
  CheckUsage,
} from './checkSubgraphSchema.js';
import {
  loadSupergraphConfig,
  readSubgraphSources,
  type SupergraphConfig,
} from './supergraphConfig.js';

/** Options of {@link prepareSchemaCheck}. */
export interface PrepareSchemaCheckOptions {
  /** The subgraph under check. */
  subgraph: string;
  /** supergraph.yaml */
  configPath: string;
  /** The committed supergraph.graphql. */
  supergraphPath: string;
  /** The candidate schema file. @default the subgraph's file in supergraph.yaml */
  schemaFile?: string;
  /** governance/access-approvals.yaml */
  accessApprovalsPath: string;
  /** governance/schema-approvals.yaml */
  schemaApprovalsPath: string;
  /** Usage window. @default 14 */
  days?: number;
  /** Usage: a store (tests), or the configuration to find the governance database. */
  usage:
    | { store: Pick<UsageStore, 'operationsUsing'> }
    | { config: Pick<Config, 'dataDir' | 'subgraphs'> };
}

/** The check's input, the parsed config, and what to close afterwards. */
export interface PreparedSchemaCheck {
  input: CheckSubgraphSchemaInput;
  config: SupergraphConfig;
  close(): Promise<void>;
}

/** Reads everything a check needs; see {@link PrepareSchemaCheckOptions}. */
export async function prepareSchemaCheck(
  options: PrepareSchemaCheckOptions,
): Promise<PreparedSchemaCheck> {
  const config = await loadSupergraphConfig(options.configPath);
  if (
    !config.subgraphs.some((subgraph) => subgraph.name === options.subgraph)
  ) {
    throw new Error(
      `Unknown subgraph "${options.subgraph}": ${path.basename(options.configPath)} lists ${config.subgraphs.map((s) => s.name).join(', ')}`,
    );
  }
  const overrides: Record<string, string> = {};
  if (options.schemaFile !== undefined)
    overrides[options.subgraph] = await readFile(options.schemaFile, 'utf8');
  const subgraphs = await readSubgraphSources(config, overrides);
  const committedSupergraphSdl = await readFile(
    options.supergraphPath,
    'utf8',
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const [accessApprovals, schemaApprovals] = await Promise.all([
    loadApprovals(options.accessApprovalsPath, 'access'),
    loadApprovals(options.schemaApprovalsPath, 'schema'),
  ]);
  let usage: CheckUsage;
  let close = async (): Promise<void> => {};
  if ('store' in options.usage) {
    usage = { known: true, store: options.usage.store };
  } else {
    const opened = await openGovernanceUsage(options.usage.config);
    close = () => opened.close();
    usage = opened.known
      ? { known: true, store: opened.store }
      : { known: false, reason: opened.reason };
  }
  return {
    config,
    close,
    input: {
      subgraph: options.subgraph,
      subgraphs,
      committedSupergraphSdl,
      usage,
      days: options.days ?? 14,
      accessApprovals,
      schemaApprovals,
    },
  };
}
