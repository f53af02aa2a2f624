/** Engagement's server factory: never listens, never reads the environment; tests import it. */
import {
  createSubgraphServer,
  loadSchema,
  type SubgraphDeps,
  type SubgraphServer,
} from '../../../lib/subgraph-kit/subgraphService.js';
import { dataSubjects } from './access.js';
import {
  DEFAULT_SOCIAL_POSTS_RETENTION_DAYS,
  type Config,
} from '../../../lib/runtime/config.js';
import { ttlSecondsOfDays } from '../../../lib/subgraph-kit/retention.js';
import { createContext, type EngagementContext } from './context.js';
import { createIngest } from './ingest/index.js';
import { createModels } from './models/index.js';
import { createEngagementRetention } from './retention.js';
import { resolvers } from './resolvers/index.js';

/** Engagement's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/** What {@link createServer} needs. */
export interface EngagementDeps extends SubgraphDeps {
  /**
   * The clock (tests pin it inside the seed window).
   * @default () => new Date()
   */
  now?: () => Date;
}

/**
 * Builds engagement's Apollo Server and its context factory. Of the
 * configuration it reads how long social posts are kept.
 */
export function createServer(
  deps: EngagementDeps,
  config?: Pick<Config, 'retention'>,
): SubgraphServer<EngagementContext> {
  const models = createModels(deps.connection);
  const now = deps.now ?? (() => new Date());
  const ingest = createIngest(models, deps);
  // One job: it runs hourly (lib) and answers erasure requests (erasePersonalData).
  const retention = createEngagementRetention(typeDefs, models, deps.logger);
  return createSubgraphServer({
    typeDefs,
    resolvers,
    deps,
    // Mutations record their events on what they change (pendingEvents.ts).
    pendingEventCollections: [
      models.CitizenReport.collection.collectionName,
      models.Workshop.collection.collectionName,
      models.Enrolment.collection.collectionName,
      models.Survey.collection.collectionName,
    ],
    createContext: (base) =>
      createContext(base, models, now, ingest, retention),
    ingest,
    dataSubjects,
    retention,
    // Posts are kept a bounded time from when they were posted (ADR 0019;
    // docs/ingestion.md, "Retention"): socialTopics counts nothing older.
    ttlIndexes: [
      {
        collection: models.SocialPost.collection.collectionName,
        field: 'postedAt',
        expireAfterSeconds: ttlSecondsOfDays(
          config?.retention.socialPostsDays ??
            DEFAULT_SOCIAL_POSTS_RETENTION_DAYS,
        ),
      },
    ],
  });
}
