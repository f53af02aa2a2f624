/** Starts the governance subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraph-kit/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('governance', (deps, config) =>
  createServer({ ...deps, supergraphPath: config.gateway.supergraphPath }),
);
