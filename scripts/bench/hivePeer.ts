/**
 * The peer of `npm run bench:gateway` (not for production): a Hive Gateway
 * runtime with its defaults over the same supergraph and the same running
 * subgraphs. The subgraphs answer only requests carrying a valid gateway
 * token, so an `onFetch` hook signs one per subgraph fetch with the
 * gateway's own key, exactly as CityGraphDataSource does (bound to the body,
 * single-use jti, anonymous caller: the bench's queries are public).
 *
 * Usage: node --import tsx scripts/bench/hivePeer.ts <port> <supergraph file> <gateway private key file> <url=name,...>
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import {
  GATEWAY_TOKEN_HEADER,
  loadGatewaySigningKey,
  signGatewayToken,
} from '../../lib/runtime/gatewayToken.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';

const [port, supergraphFile, keyFile, routes] = process.argv.slice(2);
if (!port || !supergraphFile || !keyFile || !routes)
  throw new Error(
    'usage: hivePeer.ts <port> <supergraph file> <key file> <url=name,...>',
  );
const key = await loadGatewaySigningKey(keyFile);
const subgraphOf = new Map(
  routes.split(',').map((pair) => {
    const [url = '', name = ''] = pair.split('=');
    return [url, name];
  }),
);
const supergraph = await readFile(supergraphFile, 'utf8');

const gateway = createGatewayRuntime({
  supergraph,
  plugins: () => [
    {
      async onFetch({ url, options, setOptions }) {
        const subgraph = subgraphOf.get(url);
        if (subgraph === undefined) return;
        const body = typeof options.body === 'string' ? options.body : '';
        setOptions({
          ...options,
          headers: {
            ...options.headers,
            [GATEWAY_TOKEN_HEADER]: await signGatewayToken(key, {
              viewer: anonymousViewer,
              requestId: randomUUID(),
              ttlSeconds: 60,
              subgraph,
              body,
            }),
          },
        });
      },
    },
  ],
});

// The runtime is a request listener (it answers through the response).
// eslint-disable-next-line @typescript-eslint/no-misused-promises
createServer(gateway).listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`hive peer listening on ${port}\n`);
});
