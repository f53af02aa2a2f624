/**
 * The registry of department seeds, for `npm run seed` and `npm start`:
 * each department's models and seed function, loaded on demand.
 */
import type { Connection } from 'mongoose';
import type { Department } from '../lib/runtime/config.js';
import type { Logger } from '../lib/runtime/logger.js';

/** What a seed takes from its caller. */
export interface SeedOptions {
  readonly logger: Logger;
  /** Days raw readings are kept (config `readings.rawRetentionDays`): the seed must not change it. @default DEFAULT_RAW_RETENTION_DAYS */
  readonly rawRetentionDays?: number;
}

/** A department's seed: writes its deterministic data set, returns counts per collection. */
export type SeedFunction = (
  connection: Connection,
  options: SeedOptions,
) => Promise<Record<string, number>>;

function retentionOf(options: SeedOptions): { rawRetentionDays?: number } {
  return options.rawRetentionDays === undefined
    ? {}
    : { rawRetentionDays: options.rawRetentionDays };
}

/** Loads the seed of a department. */
export async function loadSeed(department: Department): Promise<SeedFunction> {
  switch (department) {
    case 'mobility': {
      const [{ createModels }, { seedMobility }] = await Promise.all([
        import('../subgraphs/mobility/src/models/index.js'),
        import('../subgraphs/mobility/src/seed.js'),
      ]);
      return (connection, options) =>
        seedMobility(
          createModels(connection, retentionOf(options)),
          options.logger,
        );
    }
    case 'environment': {
      const [{ createModels }, { seedEnvironment }] = await Promise.all([
        import('../subgraphs/environment/src/models/index.js'),
        import('../subgraphs/environment/src/seed.js'),
      ]);
      return (connection, options) =>
        seedEnvironment(
          createModels(connection, retentionOf(options)),
          options.logger,
        );
    }
    case 'economy': {
      const [{ createModels }, { seedEconomy }] = await Promise.all([
        import('../subgraphs/economy/src/models/index.js'),
        import('../subgraphs/economy/src/seed.js'),
      ]);
      return (connection) => seedEconomy(createModels(connection));
    }
    case 'engagement': {
      const [{ createModels }, { seedEngagement }] = await Promise.all([
        import('../subgraphs/engagement/src/models/index.js'),
        import('../subgraphs/engagement/src/seed.js'),
      ]);
      return (connection) => seedEngagement(createModels(connection));
    }
  }
}
