/**
 * Test support (not for production code): a TCP proxy in front of a
 * MongoDB-wire server that records the command of every OP_MSG a client
 * sends, so an end-to-end test can count the queries a subgraph process
 * makes without touching the subgraph.
 */
import net from 'node:net';
import { deserialize } from 'bson';
import { ROLLUP_JOB_COMMENT } from '../../lib/subgraph-kit/rollups.js';

const OP_MSG = 2013;
const IGNORED = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'getMore',
  'killCursors',
  'buildInfo',
]);

/** A running proxy. */
export interface CommandCountingProxy {
  uri: string;
  /** `<command> <collection>` of each command seen since the last reset. */
  commands(): string[];
  reset(): void;
  stop(): Promise<void>;
}

/** Starts a proxy to `target` (a `mongodb://host:port` URI). */
export async function startCommandCountingProxy(
  target: string,
): Promise<CommandCountingProxy> {
  const { hostname, port } = new URL(target);
  let seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 16 && buffer.length >= buffer.readInt32LE(0)) {
        const length = buffer.readInt32LE(0);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (message.readInt32LE(12) !== OP_MSG || message[20] !== 0) continue;
        const body = deserialize(
          message.subarray(21, 21 + message.readInt32LE(21)),
        );
        const name = Object.keys(body)[0];
        if (!name || IGNORED.has(name)) continue;
        // The rollup job's periodic work is not a request's (ROLLUP_JOB_COMMENT).
        if (body['comment'] === ROLLUP_JOB_COMMENT) continue;
        const collection = body[name];
        seen.push(
          typeof collection === 'string' ? `${name} ${collection}` : name,
        );
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `mongodb://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    commands: () => [...seen],
    reset: () => {
      seen = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
