/**
 * Internal: the worker-thread side of startLocalDbWorker. Starts localdb with
 * the options it was given, forwards its log records to the parent thread,
 * and stops when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import { startLocalDb, type LocalDbOptions } from '../index.js';
import { warmUp } from './warmUp.js';

/** What the parent passes to the worker. */
export interface LocalDbWorkerData {
  /** The resolved URL of `tsx/esm/api`, registered before the entry is imported. */
  tsxApi: string;
  /** This module's URL. */
  entry: string;
  /** startLocalDb's options, without the logger. */
  options: Omit<LocalDbOptions, 'logger'>;
  /** Warm-up budget in milliseconds (0: none), spent before the store opens. */
  warmUpMs: number;
}

/** What the worker posts to its parent. */
export type FromLocalDbWorker =
  | {
      type: 'log';
      level: 'info' | 'warn' | 'error';
      obj: object;
      msg: string | undefined;
    }
  | { type: 'listening'; uri: string; port: number }
  | { type: 'failed'; message: string };

const port = parentPort;
if (port === null) throw new Error('localDbWorker.ts runs only as a worker');
const post = (message: FromLocalDbWorker): void => port.postMessage(message);

// Errors do not survive structured cloning with their own fields: send what
// a log reader needs.
function cloneable(obj: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj))
    out[key] =
      value instanceof Error
        ? {
            type: value.name,
            message: value.message,
            stack: value.stack,
            ...('code' in value ? { code: value.code } : {}),
          }
        : value;
  return out;
}

const log =
  (level: 'info' | 'warn' | 'error') =>
  (obj: object, msg?: string): void =>
    post({ type: 'log', level, obj: cloneable(obj), msg });

const logger: LocalDbLogger = {
  info: log('info'),
  warn: log('warn'),
  error: log('error'),
};

const data = workerData as LocalDbWorkerData;
try {
  if (data.warmUpMs > 0) {
    // Before the store opens and the port is known: no client waits on a cold isolate,
    // and the department's data is never touched.
    const warm = await warmUp({ budgetMs: data.warmUpMs });
    logger.info(
      { rounds: warm.rounds, ms: Math.round(warm.ms), failed: warm.failed },
      'localdb: warmed up',
    );
  }
  const db = await startLocalDb({ ...data.options, logger });
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    // Closing the port lets the thread exit, which the parent waits for.
    void db.stop().then(
      () => port.close(),
      (err: unknown) => {
        logger.error({ err }, 'localdb failed to stop cleanly');
        port.close();
      },
    );
  });
  post({ type: 'listening', uri: db.uri, port: db.port });
} catch (err) {
  post({
    type: 'failed',
    message: err instanceof Error ? err.message : String(err),
  });
  port.close();
}
