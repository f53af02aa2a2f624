import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSubgraphHttpClient,
  type SubgraphHttpClient,
} from '../src/subgraphHttpClient.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: unknown;
}

/** A real HTTP server on a free port of 127.0.0.1 that records each request. */
async function startServer(
  answer: (seen: Seen, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: req.socket,
      };
      seen.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql?x=1`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(): SubgraphHttpClient {
  const created = createSubgraphHttpClient();
  cleanups.push(() => created.close());
  return created;
}

describe('createSubgraphHttpClient', () => {
  it('POSTs the exact body and headers to the path and answers status and text', async () => {
    const server = await startServer((_seen, res) => {
      res.writeHead(207, { 'content-type': 'application/json' });
      res.end('{"data":{"ok":true}}');
    });
    cleanups.push(server.close);
    const body = JSON.stringify({ query: '{ ok }', variables: { é: 'ü' } });
    const response = await client().fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-token': 't' },
      body,
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(207);
    expect(await response.text()).toBe('{"data":{"ok":true}}');
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({
      method: 'POST',
      url: '/graphql?x=1',
      body,
    });
    expect(server.seen[0]?.headers['x-gateway-token']).toBe('t');
    expect(server.seen[0]?.headers['content-type']).toBe('application/json');
  });

  it('keeps connections alive between calls', async () => {
    const server = await startServer((_seen, res) => res.end('{}'));
    cleanups.push(server.close);
    const subgraph = client();
    for (let i = 0; i < 10; i += 1) {
      const response = await subgraph.fetch(server.url, {
        method: 'POST',
        headers: {},
        body: '{}',
        signal: AbortSignal.timeout(5000),
      });
      await response.text();
    }
    expect(server.seen).toHaveLength(10);
    // A call may start before the previous one's socket is back in the pool
    // (undici frees it just after the body is read): two sockets at most.
    expect(new Set(server.seen.map((s) => s.socket)).size).toBeLessThanOrEqual(
      2,
    );
  });

  it('rejects with the signal aborted when the subgraph does not answer in time', async () => {
    const server = await startServer(() => {
      // Never answers.
    });
    cleanups.push(server.close);
    const signal = AbortSignal.timeout(50);
    await expect(
      client().fetch(server.url, {
        method: 'POST',
        headers: {},
        body: '{}',
        signal,
      }),
    ).rejects.toThrow();
    expect(signal.aborted).toBe(true);
  });

  it('answers the whole body when it comes in several chunks, a character split across two', async () => {
    const text = JSON.stringify({ data: { name: 'Allée des Pins ü' } });
    const bytes = Buffer.from(text, 'utf8');
    const split = bytes.indexOf(Buffer.from('é', 'utf8')) + 1;
    const server = await startServer((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, split));
      setTimeout(() => res.end(bytes.subarray(split)), 20);
    });
    cleanups.push(server.close);
    const response = await client().fetch(server.url, {
      method: 'POST',
      headers: {},
      body: '{}',
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(text);
  });

  it('rejects when the signal aborts after the headers, before the body ends', async () => {
    const server = await startServer((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
      // The rest never comes.
    });
    cleanups.push(server.close);
    const signal = AbortSignal.timeout(100);
    await expect(
      client()
        .fetch(server.url, { method: 'POST', headers: {}, body: '{}', signal })
        .then((response) => response.text()),
    ).rejects.toThrow();
    expect(signal.aborted).toBe(true);
  });

  it('rejects at once, sending nothing, when the signal is already aborted', async () => {
    const server = await startServer((_seen, res) => res.end('{}'));
    cleanups.push(server.close);
    const controller = new AbortController();
    controller.abort();
    await expect(
      client().fetch(server.url, {
        method: 'POST',
        headers: {},
        body: '{}',
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    expect(server.seen).toHaveLength(0);
  });

  it('rejects without the signal aborted when nothing listens', async () => {
    const server = await startServer((_seen, res) => res.end('{}'));
    const { url } = server;
    await server.close();
    const signal = AbortSignal.timeout(5000);
    await expect(
      client().fetch(url, { method: 'POST', headers: {}, body: '{}', signal }),
    ).rejects.toThrow();
    expect(signal.aborted).toBe(false);
  });
});
