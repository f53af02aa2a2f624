/** Starts the economy subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('economy', ({ connection, logger }) =>
  createServer({
    connection,
    logger,
  }),
);
