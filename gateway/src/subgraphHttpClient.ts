/**
 * The gateway's HTTP client for subgraph calls: an undici `Agent` (one
 * keep-alive connection pool per subgraph origin) driven through its plain
 * `request` API instead of the WHATWG `fetch` built on it. The profile showed
 * `fetch` as the largest single cost of the gateway (a `Request`, `Headers`,
 * web streams and an `AbortSignal` listener per call; docs/performance.md);
 * `request` does the same HTTP/1.1 exchange over the same pooled sockets
 * without them.
 *
 * It only moves bytes: tokens, timeouts (the caller's `signal`), the circuit
 * breaker and error mapping stay in the data source (subgraphDataSource.ts),
 * so swapping the client changes nothing a rule, an audit or a limit sees.
 */
import { Agent } from 'undici';
import type { SubgraphFetch } from './subgraphDataSource.js';

/** Options of {@link createSubgraphHttpClient}. */
export interface SubgraphHttpClientOptions {
  /**
   * Most connections kept per subgraph origin; requests beyond it queue.
   * @default 64
   */
  connectionsPerOrigin?: number;
  /**
   * How long an idle connection is kept open, in milliseconds (subgraphs
   * close theirs after 5 s: lib/runtime/http.ts keeps Node's default).
   * @default 4000
   */
  keepAliveTimeoutMs?: number;
}

/** A keep-alive client for subgraph calls. */
export interface SubgraphHttpClient {
  /** Sends one POST; same contract as the data source's default (`globalThis.fetch`). */
  readonly fetch: SubgraphFetch;
  /** Closes the pooled connections (after the gateway has stopped serving). */
  close(): Promise<void>;
}

/** Creates the gateway's subgraph client (one per gateway). */
export function createSubgraphHttpClient(
  options: SubgraphHttpClientOptions = {},
): SubgraphHttpClient {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
  });
  // A data source sends to one URL all its life: parse each once.
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      targets.set(url, target);
    }
    return target;
  };
  return {
    async fetch(url, init) {
      const { origin, path } = targetOf(url);
      const response = await agent.request({
        origin,
        path,
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: init.signal,
      });
      return {
        status: response.statusCode,
        text: () => response.body.text(),
      };
    },
    close: () => agent.close(),
  };
}
