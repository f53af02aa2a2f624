/**
 * Opens the usage store of the governance database for command-line tools
 * (schema:check, schema:usage): `GOVERNANCE_MONGODB_URI` when set, otherwise
 * the address `npm start` wrote to `<DATA_DIR>/dev-services.json`
 * (`{ "governance": "mongodb://127.0.0.1:PORT", ... }`). When neither
 * answers, usage is unknown and callers say so.
 */
import { MongoClient } from 'mongodb';
import type { Config } from '../../runtime/config.js';
import {
  devServicesFile,
  locateDatabase,
  type DatabaseLocation,
} from '../../runtime/devServices.js';
import { createUsageStore, type UsageStore } from './usageStore.js';

/** The governance database's name, by the one-database-per-subgraph convention. */
export const GOVERNANCE_DB_NAME = 'governance';

/** Usage that could be read, or why not. */
export type GovernanceUsage =
  | {
      readonly known: true;
      readonly store: UsageStore;
      readonly source: string;
      close(): Promise<void>;
    }
  | { readonly known: false; readonly reason: string; close(): Promise<void> };

/** Where the governance database is: the configured URI, or the development services file. */
export function resolveGovernanceUri(
  config: Pick<Config, 'dataDir' | 'subgraphs'>,
): Promise<DatabaseLocation | undefined> {
  return locateDatabase(config, 'governance');
}

/** Options of {@link openGovernanceUsage}. */
export interface OpenGovernanceUsageOptions {
  /** @default 3000 */
  serverSelectionTimeoutMS?: number;
}

/** Connects to the governance database and returns its usage store, or why usage is unknown. */
export async function openGovernanceUsage(
  config: Pick<Config, 'dataDir' | 'subgraphs'>,
  options: OpenGovernanceUsageOptions = {},
): Promise<GovernanceUsage> {
  const where = await resolveGovernanceUri(config);
  if (!where) {
    return {
      known: false,
      reason: `GOVERNANCE_MONGODB_URI is not set and ${devServicesFile(config.dataDir)} names no running governance database`,
      close: async () => {},
    };
  }
  const client = new MongoClient(where.uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 3000,
  });
  try {
    await client.connect();
    const db = client.db(GOVERNANCE_DB_NAME);
    await db.command({ ping: 1 });
    return {
      known: true,
      store: createUsageStore(db),
      source: where.source,
      close: () => client.close(),
    };
  } catch (error) {
    await client.close().catch(() => {});
    return {
      known: false,
      reason: `the governance database (${where.source}) did not answer: ${(error as Error).message}`,
      close: async () => {},
    };
  }
}
