/** Starts the mobility subgraph as its own service: loadConfig → connect → listen. */
import { runSubgraph } from '../../../lib/subgraph-kit/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('mobility', createServer);
