/**
 * Not a public module: an embedded localdb in a worker thread of its own
 * (lib/runtime/mongo.ts `resolveDatabase`). `npm start` runs five of them in
 * one process; on the main thread they shared one event loop, so a journal
 * fsync or a batch of B-tree inserts in mobility's database held up every
 * other department's queries, and the five could use one core between them.
 * A thread each keeps them apart and lets them use every core, without five
 * more processes to start and stop.
 *
 * This file is both sides: {@link startLocalDbThread} on the caller's
 * thread, and the worker's body when it runs as the thread's entry.
 */
import {
  isMainThread,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import type { LocalDbLogger } from '../../localdb/src/index.js';

/** What the thread is asked to start (`workerData`). */
interface ThreadOptions {
  readonly dataDir: string;
}

/** What the thread says to its starter. */
type ThreadMessage =
  | { readonly kind: 'listening'; readonly uri: string }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'stopped' }
  | {
      readonly kind: 'log';
      readonly level: keyof LocalDbLogger;
      readonly obj: object;
      readonly msg: string | undefined;
    };

/** A localdb running in its own thread. */
export interface LocalDbThread {
  /** `mongodb://127.0.0.1:<port>`. */
  readonly uri: string;
  /** Flushes and closes its journal, then ends the thread. */
  stop(): Promise<void>;
}

/**
 * The thread's entry: this module's own URL. Under a TypeScript loader (tsx,
 * which runs the services) a worker does not inherit the loader, so it is
 * registered first in the thread.
 */
function threadEntry(): { code: string; eval: boolean } {
  const self = import.meta.url;
  if (!self.endsWith('.ts'))
    return { code: new URL(self).pathname, eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  return {
    code: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(self)}); })`,
    eval: true,
  };
}

/** Starts a localdb keeping its data in `dataDir`, in a worker thread; resolves once it listens. */
export function startLocalDbThread(
  dataDir: string,
  logger: LocalDbLogger,
): Promise<LocalDbThread> {
  const entry = threadEntry();
  const worker = new Worker(entry.code, {
    eval: entry.eval,
    workerData: { dataDir } satisfies ThreadOptions,
  });
  let stopped: (() => void) | undefined;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => resolve()),
  );
  return new Promise((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      switch (message.kind) {
        case 'log':
          logger[message.level](message.obj, message.msg);
          break;
        case 'listening':
          resolve({
            uri: message.uri,
            async stop() {
              stopping = true;
              const done = new Promise<void>((r) => (stopped = r));
              worker.postMessage('stop');
              await Promise.race([done, exited]);
              await worker.terminate();
            },
          });
          break;
        case 'failed':
          reject(new Error(message.error));
          void worker.terminate();
          break;
        case 'stopped':
          stopped?.();
          break;
      }
    });
    worker.once('error', (error) => {
      logger.error({ err: error.message, dataDir }, 'localdb thread failed');
      reject(error);
    });
    void exited.then(() => {
      if (!stopping)
        logger.error(
          { dataDir },
          'localdb thread exited: its database is gone',
        );
    });
    void exited.then(() =>
      reject(new Error(`localdb thread for ${dataDir} exited`)),
    );
  });
}

/** The worker's side: start localdb, say where it listens, stop when asked. */
async function runThread(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const { dataDir } = workerData as ThreadOptions;
  const post = (message: ThreadMessage) => port.postMessage(message);
  const log =
    (level: keyof LocalDbLogger) =>
    (obj: object, msg?: string): void => {
      // Errors do not survive the copy to the other thread whole: their message does.
      const copy = Object.fromEntries(
        Object.entries(obj).map(([k, v]) => [
          k,
          v instanceof Error ? v.message : v,
        ]),
      );
      post({ kind: 'log', level, obj: copy, msg });
    };
  try {
    const { startLocalDb } = await import('../../localdb/src/index.js');
    const db = await startLocalDb({
      port: 0,
      dataDir,
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
    });
    port.on('message', (message: unknown) => {
      if (message !== 'stop') return;
      void db.stop().finally(() => {
        post({ kind: 'stopped' });
        port.close();
      });
    });
    post({ kind: 'listening', uri: db.uri });
  } catch (error) {
    post({
      kind: 'failed',
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

if (
  !isMainThread &&
  (workerData as Partial<ThreadOptions> | null)?.dataDir !== undefined
)
  await runThread();
