/**
 * The gateway's HTTP client for subgraph calls: an undici `Agent` (one
 * keep-alive connection pool per subgraph origin) driven through its plain
 * `request` API instead of the WHATWG `fetch` built on it. The profile showed
 * `fetch` as the largest single cost of the gateway (a `Request`, `Headers`,
 * web streams and an `AbortSignal` listener per call; docs/performance.md);
 * `request` does the same HTTP/1.1 exchange over the same pooled sockets
 * without them, and `dispatch` with a handler that only keeps the answer's
 * chunks (what this client does) without `request`'s body stream either.
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
    fetch(url, init) {
      const { origin, path } = targetOf(url);
      return new Promise((resolve, reject) => {
        const { signal } = init;
        let abort: ((reason: Error) => void) | null = null;
        let status = 0;
        const chunks: Buffer[] = [];
        const onAbort = () => abort?.(abortReason(signal));
        const done = () => signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return reject(abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        // A dispatch handler of undici's own (the one `request` wraps in a
        // Readable body stream): the answer's chunks are kept as they come
        // and joined once it is complete, without the stream, its async
        // iterator and the response object `request` builds per call.
        agent.dispatch(
          {
            origin,
            path,
            method: init.method,
            headers: init.headers,
            body: init.body,
          },
          {
            onConnect(abortRequest) {
              if (signal.aborted) abortRequest(abortReason(signal));
              else abort = abortRequest;
            },
            onHeaders(statusCode) {
              // 1xx informational answers precede the real one.
              if (statusCode >= 200) status = statusCode;
              return true;
            },
            onData(chunk) {
              chunks.push(chunk);
              return true;
            },
            onComplete() {
              done();
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status, text: () => Promise.resolve(text) });
            },
            onError(error) {
              done();
              reject(error);
            },
          },
        );
      });
    },
    close: () => agent.close(),
  };
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The request was aborted', 'AbortError');
}
