/** Starts the economy subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('economy', ({ connection, logger, config }) =>
  createServer({
    connection,
    logger,
    includeStacktrace: config.env === 'development',
  }),
);
