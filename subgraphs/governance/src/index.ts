/** Starts the governance subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('governance', ({ connection, logger, config }) =>
  createServer({
    connection,
    logger,
    supergraphPath: config.gateway.supergraphPath,
  }),
);
