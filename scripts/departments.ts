/**
 * The registry of department seeds, for `npm run seed` and `npm start`:
 * each department's models and seed function, loaded on demand.
 */
import type { Connection } from 'mongoose';
import type { Department } from '../lib/runtime/config.js';

/** A department's seed: writes its deterministic data set, returns counts per collection. */
export type SeedFunction = (
  connection: Connection,
) => Promise<Record<string, number>>;

/** Loads the seed of a department. */
export async function loadSeed(department: Department): Promise<SeedFunction> {
  switch (department) {
    case 'mobility': {
      const [{ createModels }, { seedMobility }] = await Promise.all([
        import('../subgraphs/mobility/src/models/index.js'),
        import('../subgraphs/mobility/src/seed.js'),
      ]);
      return (connection) => seedMobility(createModels(connection));
    }
    case 'environment': {
      const [{ createModels }, { seedEnvironment }] = await Promise.all([
        import('../subgraphs/environment/src/models/index.js'),
        import('../subgraphs/environment/src/seed.js'),
      ]);
      return (connection) => seedEnvironment(createModels(connection));
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
