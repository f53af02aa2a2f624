/**
 * localdb on its own thread: the same server as `startLocalDb`, run in a
 * worker thread so that its event loop and its garbage collector are its own.
 * An embedding process that runs several localdbs (`npm start` runs five), or
 * a subgraph beside its localdb, then spreads them over the machine's cores,
 * and one busy database (ingestion into mobility) no longer delays the reads
 * of the others. See docs/localdb.md, "Embedded: one thread per database".
 */
import { Worker } from 'node:worker_threads';
import { silentLogger } from './LocalDbLogger.js';
import type { LocalDb, LocalDbOptions } from './index.js';
import type {
  FromLocalDbWorker,
  LocalDbWorkerData,
} from './worker/localDbWorker.js';

/** Options for startLocalDbWorker: startLocalDb's (the logger stays on the calling thread), and the warm-up. */
export interface LocalDbWorkerOptions extends LocalDbOptions {
  /**
   * Wall time the new thread spends, before it opens the store and listens, running a
   * representative mix of commands against a scratch in-memory store so that its own V8
   * isolate has compiled the read path before the first client arrives
   * (docs/localdb.md, "Warm-up"). 0 skips it.
   * @default 2000
   */
  warmUpMs?: number;
}

/** @see LocalDbWorkerOptions.warmUpMs */
const DEFAULT_WARM_UP_MS = 2000;

/** How long stop() waits for the worker to flush and close before terminating it. @default 30 s */
const STOP_TIMEOUT_MS = 30_000;

// The worker runs TypeScript like the rest of the repository (ADR 0004): its
// entry registers tsx's loader on that thread first, since loader hooks
// registered with `--import tsx` on the main thread do not reach workers on
// Node 20. Under plain JavaScript the registration is harmless.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi)
  .then(({ register }) => { register(); return import(workerData.entry); })
  .catch((err) => { process.nextTick(() => { throw err; }); });
`;

/**
 * Starts localdb in a worker thread and resolves once it listens. Its log
 * records are forwarded to `options.logger` on the calling thread. If the
 * worker dies (it should not: localdb answers errors, it does not throw
 * them), the error is logged and every client sees its connection closed.
 */
export function startLocalDbWorker(
  options: LocalDbWorkerOptions = {},
): Promise<LocalDb> {
  const logger = options.logger ?? silentLogger;
  const serverOptions: LocalDbWorkerData['options'] = { ...options };
  delete (serverOptions as LocalDbOptions).logger;
  delete (serverOptions as LocalDbWorkerOptions).warmUpMs;
  const workerData: LocalDbWorkerData = {
    tsxApi: import.meta.resolve('tsx/esm/api'),
    entry: new URL('./worker/localDbWorker.ts', import.meta.url).href,
    options: serverOptions,
    warmUpMs: options.warmUpMs ?? DEFAULT_WARM_UP_MS,
  };
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData });
  // The worker exits once its server and store are closed (or if it dies):
  // that is what stop() waits for.
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => resolve()),
  );
  return new Promise<LocalDb>((resolve, reject) => {
    let started = false;
    worker.on('message', (message: FromLocalDbWorker) => {
      switch (message.type) {
        case 'log':
          logger[message.level](message.obj, message.msg);
          break;
        case 'listening':
          started = true;
          resolve(handle(worker, exited, message.uri, message.port));
          break;
        case 'failed':
          reject(new Error(message.message));
          break;
      }
    });
    worker.on('error', (err) => {
      if (!started) reject(err);
      else logger.error({ err }, 'localdb worker failed');
    });
    worker.on('exit', (code) => {
      if (!started)
        reject(new Error(`localdb worker exited (${code}) before listening`));
    });
  });
}

function handle(
  worker: Worker,
  exited: Promise<void>,
  uri: string,
  port: number,
): LocalDb {
  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    stop() {
      stopping ??= (async () => {
        const timer = setTimeout(
          () => void worker.terminate(),
          STOP_TIMEOUT_MS,
        );
        worker.postMessage({ type: 'stop' });
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
