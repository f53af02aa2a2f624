/**
 * `npm run seed`: fills every department's database with the deterministic
 * seed data set. Idempotent: documents are replaced by id, never duplicated.
 * Uses `<DEPT>_MONGODB_URI`, or the databases `npm start` is running
 * (`<DATA_DIR>/dev-services.json`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEPARTMENTS,
  loadConfig,
  type Config,
  type Department,
} from '../lib/runtime/config.js';
import { createLogger, type Logger } from '../lib/runtime/logger.js';
import { locateDatabase } from '../lib/runtime/devServices.js';
import { connectDatabase } from '../lib/runtime/mongo.js';
import { loadSeed } from './departments.js';

/** Seeds one department's database; with `onlyIfEmpty`, skips a database that already has data. */
export async function seedDepartment(
  department: Department,
  uri: string,
  logger: Logger,
  options: {
    onlyIfEmpty?: boolean;
    /** Days raw readings are kept (config `readings.rawRetentionDays`). */
    rawRetentionDays?: number;
  } = {},
): Promise<Record<string, number> | null> {
  const connection = await connectDatabase({ uri, dbName: department });
  try {
    if (options.onlyIfEmpty) {
      const collections =
        (await connection.db?.listCollections().toArray()) ?? [];
      for (const { name } of collections) {
        if (
          ((await connection.db?.collection(name).estimatedDocumentCount()) ??
            0) > 0
        ) {
          logger.info({ department }, 'database has data: seed skipped');
          return null;
        }
      }
    }
    const started = performance.now();
    const seed = await loadSeed(department);
    const counts = await seed(connection, {
      logger,
      ...(options.rawRetentionDays === undefined
        ? {}
        : { rawRetentionDays: options.rawRetentionDays }),
    });
    logger.info(
      { department, counts, ms: Math.round(performance.now() - started) },
      'seeded',
    );
    return counts;
  } finally {
    await connection.close();
  }
}

/** The database URI of each department: configured, or the running development services. */
export async function departmentUris(
  config: Readonly<Config>,
): Promise<Record<Department, string>> {
  const uris = {} as Record<Department, string>;
  const missing: string[] = [];
  for (const department of DEPARTMENTS) {
    const location = await locateDatabase(config, department);
    if (location) uris[department] = location.uri;
    else missing.push(`${department.toUpperCase()}_MONGODB_URI`);
  }
  if (missing.length > 0) {
    throw new Error(
      `No database for ${missing.join(', ')}: set them, or run \`npm start\` (it seeds its own databases).`,
    );
  }
  return uris;
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const config = loadConfig();
  const logger = createLogger({
    service: 'seed',
    level: config.logLevel,
    format: config.logFormat,
  });
  try {
    const uris = await departmentUris(config);
    const started = performance.now();
    let total = 0;
    for (const department of DEPARTMENTS) {
      const counts = await seedDepartment(
        department,
        uris[department],
        logger,
        {
          rawRetentionDays: config.readings.rawRetentionDays,
        },
      );
      total += Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
    }
    logger.info(
      {
        documents: total,
        seconds: Math.round(performance.now() - started) / 1000,
      },
      'seed complete',
    );
    process.exit(0);
  } catch (error) {
    logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'seed failed',
    );
    process.exit(1);
  }
}
