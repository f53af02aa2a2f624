// The `npm run localdb` command: starts localdb until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import type { LocalDbLogger } from './LocalDbLogger.js';
import { startLocalDb, type LocalDbOptions } from './index.js';

function line(level: string, obj: object, msg?: string): void {
  const out = level === 'info' ? process.stdout : process.stderr;
  out.write(
    `${JSON.stringify({ level, time: Date.now(), name: 'localdb', ...obj, msg })}\n`,
  );
}

const logger: LocalDbLogger = {
  info: (obj, msg) => line('info', obj, msg),
  warn: (obj, msg) => line('warn', obj, msg),
  error: (obj, msg) => line('error', obj, msg),
};

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    'no-fsync': { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  logger.error(
    { port: values.port },
    'localdb: --port must be an integer from 0 to 65535',
  );
  process.exit(2);
}

const options: LocalDbOptions = {
  port,
  host: values.host,
  fsync: !values['no-fsync'],
  logger,
};
if (values.data !== undefined) options.dataDir = values.data;

// startLocalDb logs the one start line with the URI.
const db = await startLocalDb(options);

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  db.stop().then(
    () => {
      logger.info({ signal }, 'localdb stopped');
      process.exit(0);
    },
    (err: unknown) => {
      logger.error({ err: String(err) }, 'localdb failed to stop cleanly');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
