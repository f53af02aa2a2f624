/**
 * Not a public module: a localdb server in its own process (`npm run localdb`, in memory), for
 * benchmarks that measure the database's CPU apart from their own.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './startSeededCity.js';

const root = path.resolve(import.meta.dirname, '../..');

/** A running localdb process. */
export interface LocalDbProcess {
  /** `mongodb://127.0.0.1:<port>`. */
  readonly uri: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts localdb in memory on a free port and resolves once it listens. */
export async function startLocalDbProcess(): Promise<LocalDbProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'localdb/src/cli.ts'),
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error('localdb did not start within 60 s')),
      60_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('localdb listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`localdb exited (${String(code)}) during start`));
    });
  });
  // Keep draining its log lines.
  child.stdout.resume();
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
