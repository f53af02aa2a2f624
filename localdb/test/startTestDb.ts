// Internal to the localdb tests: a server on a free port, silent, with an optional temp data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { MongoServerError } from 'mongodb';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  silentLogger,
  startLocalDb,
  type LocalDb,
  type LocalDbLogger,
} from '../src/index.js';

/** A temporary directory removed by the returned cleanup. */
export function makeTempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'localdb-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that records warnings instead of printing them. */
export function recordingLogger(): LocalDbLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    ...silentLogger,
    warnings,
    warn: (_obj, msg) => void warnings.push(msg ?? ''),
  };
}

/** Starts localdb on port 0 with a silent logger. */
export function startTestDb(
  options: {
    dataDir?: string;
    logger?: LocalDbLogger;
    compactBytes?: number;
    ttlIntervalMs?: number;
  } = {},
): Promise<LocalDb> {
  return startLocalDb({ port: 0, logger: silentLogger, ...options });
}

/** The MongoDB error code a driver call fails with, or undefined when it succeeds. */
export async function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MongoServerError) return err.code as number;
    throw err;
  }
  return undefined;
}
