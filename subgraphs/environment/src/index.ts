/** Starts the environment subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('environment', ({ connection, logger }) =>
  createServer({
    connection,
    logger,
  }),
);
