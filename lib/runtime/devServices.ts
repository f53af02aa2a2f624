/**
 * The development services file: `npm start` writes where each subgraph's
 * database is (`<DATA_DIR>/dev-services.json`), so that command-line tools
 * (seed, audit:verify, schema:check, schema:usage) find the running
 * development databases when no `<NAME>_MONGODB_URI` is set. One reader and
 * one writer for all of them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, SubgraphName } from './config.js';

/** Where the file is, for messages. */
export function devServicesFile(dataDir: string): string {
  return path.join(dataDir, 'dev-services.json');
}

/** Records the database URI of each subgraph (`npm start`). */
export async function writeDevServices(
  dataDir: string,
  uris: Readonly<Record<SubgraphName, string>>,
): Promise<void> {
  await writeFile(devServicesFile(dataDir), JSON.stringify(uris, null, 2));
}

/**
 * The database URIs `npm start` recorded, by subgraph name; only entries that
 * are MongoDB connection strings. Empty when no development services run.
 */
export async function readDevServices(
  dataDir: string,
): Promise<Partial<Record<SubgraphName, string>>> {
  try {
    const services: unknown = JSON.parse(
      await readFile(devServicesFile(dataDir), 'utf8'),
    );
    if (!services || typeof services !== 'object') return {};
    return Object.fromEntries(
      Object.entries(services).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && entry[1].startsWith('mongodb'),
      ),
    );
  } catch {
    // No development services running.
    return {};
  }
}

/** A subgraph's database and where its URI came from. */
export interface DatabaseLocation {
  uri: string;
  /** `<NAME>_MONGODB_URI`, or the development services file. */
  source: string;
}

/**
 * The database of subgraph `name`: `<NAME>_MONGODB_URI` when set, otherwise
 * the one `npm start` recorded; undefined when neither names one.
 */
export async function locateDatabase(
  config: Pick<Config, 'dataDir' | 'subgraphs'>,
  name: SubgraphName,
): Promise<DatabaseLocation | undefined> {
  const configured = config.subgraphs[name].mongodbUri;
  if (configured)
    return { uri: configured, source: `${name.toUpperCase()}_MONGODB_URI` };
  const uri = (await readDevServices(config.dataDir))[name];
  if (uri) return { uri, source: devServicesFile(config.dataDir) };
  return undefined;
}
