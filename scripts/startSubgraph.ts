/** `npm run start:subgraph -- <name>`: one subgraph alone, as it is deployed. */
import { SUBGRAPH_NAMES } from '../lib/runtime/config.js';

const name = process.argv[2];
if (!name || !(SUBGRAPH_NAMES as readonly string[]).includes(name)) {
  process.stderr.write(
    `Usage: npm run start:subgraph -- <${SUBGRAPH_NAMES.join('|')}>\n`,
  );
  process.exit(2);
}
await import(`../subgraphs/${name}/src/index.js`);
