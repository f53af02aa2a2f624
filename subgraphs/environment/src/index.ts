/** Starts the environment subgraph as its own service: loadConfig → connect → listen. */
// First: tracing must start before what it instruments is loaded.
import '../../../lib/subgraph-kit/tracing.js';
import { runSubgraph } from '../../../lib/subgraph-kit/subgraphService.js';
import { createServer } from './server.js';

await runSubgraph('environment', createServer);
