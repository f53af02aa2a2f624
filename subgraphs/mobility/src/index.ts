/** Starts the mobility subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('mobility', ({ connection, logger }) =>
  createServer({
    connection,
    logger,
  }),
);
