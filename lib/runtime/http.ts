/**
 * The HTTP front of every service: `/graphql` through Apollo Server, plus
 * `/health` and `/ready`.
 *
 * Written on node:http rather than Express because each service needs only
 * three routes, a body-size limit and a graceful drain; this is the same
 * adapter Apollo's own `startStandaloneServer` builds, with CORS from
 * lib/browserPolicy.ts instead of the `cors` package, and no
 * body-parser.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { BrowserPolicy } from './browserPolicy.js';
import { describeError } from './errors.js';
import type { Logger } from './logger.js';
import { metricsRegistry } from './metrics.js';
import { runInRequestScope } from './requestScope.js';

/** Header carrying the request id from the gateway to the subgraphs and back to clients. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What the HTTP layer knows of a request before GraphQL sees it. */
export interface IncomingGraphQLRequest {
  readonly req: IncomingMessage;
  /** The service's own id for this request. */
  readonly requestId: string;
  /** The client's `x-request-id`, when it sent a well-formed one. */
  readonly clientRequestId: string | null;
  /** The raw body (empty for GET). */
  readonly rawBody: string;
  /** The parsed JSON body, or undefined for GET. */
  readonly body: unknown;
  /** The URL's query string (GET requests carry the operation there). */
  readonly search: string;
}

/** A request refused before or by GraphQL, for the audit trail. */
export interface RefusedRequest {
  readonly requestId: string;
  readonly clientRequestId: string | null;
  readonly status: number;
  /** The `extensions.code` sent, e.g. `BAD_REQUEST`, `RATE_LIMITED`. */
  readonly code: string;
  readonly remoteAddress: string | null;
}

/**
 * A refusal by the HTTP layer: answered with `status`, one error with
 * `code`, and `headers` (e.g. Retry-After). Thrown by `inspect`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = 'BAD_REQUEST',
    readonly headers: Readonly<Record<string, string>> = {},
    /** More `extensions` for the error (documented keys only, e.g. `limit`). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The answer of a health or readiness probe. */
export interface ProbeResult {
  /** Whether the service is healthy or ready; 200 when true, 503 otherwise. */
  ok: boolean;
  /** Details shown in the JSON body, e.g. each dependency's state. */
  details?: Record<string, unknown>;
}

/**
 * A route served beside `/graphql` by the same server: the gateway's NGSI
 * endpoints, Server-Sent Events, `/metrics`. Routes are tried in order after
 * `/health` and `/ready`, before `/graphql`; the first whose `matches` is true
 * answers. A route throws an {@link HttpError} to refuse (answered and
 * reported like any refusal).
 */
export interface HttpRoute {
  /** Whether this route answers the request (by path, method or headers). */
  matches(req: IncomingMessage, url: URL): boolean;
  /** Answers the request; resolves once the response is sent (or, for a stream, has ended). */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    request: HttpRouteRequest,
  ): Promise<void>;
}

/** What a route is told about its request. */
export interface HttpRouteRequest {
  readonly url: URL;
  /** The service's own id for this request. */
  readonly requestId: string;
  /** The client's `x-request-id`, when it sent a well-formed one. */
  readonly clientRequestId: string | null;
}

/** Options of {@link createHttpService}. */
export interface HttpServiceOptions<TContext extends BaseContext> {
  /** A started or not yet started Apollo Server; `listen` starts it. */
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context; may throw a GraphQLError (e.g. UNAUTHENTICATED). */
  context: (args: IncomingGraphQLRequest) => Promise<TContext>;
  /**
   * Admits a request before anything else is done for it (its body is not
   * even read): the gateway's rate limit, so that a flood's refusals cost
   * next to nothing. Every path but the probes (`/health`, `/ready`,
   * `/metrics`) goes through it, routes included. Throws an
   * {@link HttpError} to refuse.
   */
  admit?: (req: IncomingMessage, requestId: string) => Promise<void> | void;
  /**
   * Checks a request before GraphQL parses it (size, token count,
   * variables); throws an {@link HttpError} to refuse it.
   */
  inspect?: (request: IncomingGraphQLRequest) => Promise<void> | void;
  /**
   * Called for each request refused without a GraphQL context (bad JSON,
   * 413, 431, batching, CSRF, `inspect`): the gateway audits them.
   */
  onRefused?: (refusal: RefusedRequest) => void;
  /**
   * Use the caller's `x-request-id` as the request id. Subgraphs do (the
   * gateway sends its own); the gateway does not: it generates every id and
   * keeps the client's apart.
   * @default false
   */
  trustRequestIdHeader?: boolean;
  /**
   * Whether the GraphQL plugins report the refusals of a request with this
   * context (the gateway's audit plugin marks the contexts it records).
   * Refusals of requests they never saw, such as a batch Apollo Server
   * answers before its request pipeline, go to `onRefused`.
   * @default () => true
   */
  reportsRefusals?: (context: TContext) => boolean;
  /** Readiness: are this service's dependencies reachable? */
  ready: () => Promise<ProbeResult>;
  /**
   * CORS and CSRF for browsers (the gateway's); when set, it replaces Apollo
   * Server's CSRF check, which the caller turns off.
   * @default undefined (no CORS header; Apollo Server's CSRF check)
   */
  browserPolicy?: BrowserPolicy;
  /**
   * Routes served beside `/graphql` (see {@link HttpRoute}).
   * @default []
   */
  routes?: readonly HttpRoute[];
  logger: Logger;
  /**
   * Largest request body accepted, in bytes; larger requests get 413.
   * @default 1_000_000
   */
  maxBodyBytes?: number;
}

/** A service's HTTP server. */
export interface HttpService {
  /** The node:http server (for tests that need the raw socket). */
  readonly httpServer: http.Server;
  /** Starts Apollo Server and listens; resolves to the service's base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish, stops Apollo Server. */
  stop(): Promise<void>;
}

/**
 * Reads a request body up to `limit` bytes; over it, an {@link HttpError}
 * 413. Routes use it too.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    throw new HttpError(413, `Request body larger than ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new HttpError(413, `Request body larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The `extensions.code` of the first error of a GraphQL answer, if any. */
function errorCodeOf(body: string): string | undefined {
  try {
    const code = (
      JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] }
    ).errors?.[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The code recorded for a refusal answered without a GraphQL error of ours. */
function refusalCode(status: number): string {
  return status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** Creates the HTTP service of a gateway or subgraph. */
export function createHttpService<TContext extends BaseContext>(
  options: HttpServiceOptions<TContext>,
): HttpService {
  const { apollo, logger } = options;
  const limit = options.maxBodyBytes ?? 1_000_000;

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    clientRequestId: string | null,
  ): Promise<{ reported: boolean; code?: string }> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return { reported: true };
    }
    if (url.pathname === '/ready') {
      const result = await options.ready().catch((err: unknown) => ({
        ok: false,
        details: { error: describeError(err) },
      }));
      sendJson(res, result.ok ? 200 : 503, {
        status: result.ok ? 'ready' : 'not ready',
        ...result.details,
      });
      return { reported: true };
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      // Prometheus text format, from the process's one registry.
      res.statusCode = 200;
      res.setHeader('content-type', metricsRegistry.contentType);
      res.end(await metricsRegistry.metrics());
      return { reported: true };
    }
    // Every route counts against the caller's budget (the GraphQL endpoint, its
    // Server-Sent Events, the explorer, NGSI, Open311), not only POST /graphql:
    // probes above stay free so an orchestrator never sees a limited gateway.
    await options.admit?.(req, requestId);
    const route = options.routes?.find((r) => r.matches(req, url));
    if (route) {
      await route.handle(req, res, { url, requestId, clientRequestId });
      // A route answers its own refusals; only those it throws are reported.
      return { reported: true };
    }
    // From here on, an answer of 400 or more without a GraphQL context is a
    // refusal the caller reports (false: no context was built).
    if (url.pathname !== '/graphql') {
      sendJson(res, 404, {
        error: 'Not found. The GraphQL endpoint is /graphql.',
      });
      return { reported: false };
    }
    if (options.browserPolicy) {
      // A preflight: answered 204, or 403 for an origin that may not call.
      if (options.browserPolicy.handle(req, res)) return { reported: false };
      const refusal = options.browserPolicy.check(req);
      if (refusal) throw new HttpError(refusal.status, refusal.message);
    }
    const raw = req.method === 'POST' ? await readBody(req, limit) : '';
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'Request body is not valid JSON.');
      }
    }
    const incoming: IncomingGraphQLRequest = {
      req,
      requestId,
      clientRequestId,
      rawBody: raw,
      body,
      search: url.search,
    };
    await options.inspect?.(incoming);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined)
        headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // Whether this request's refusal, if it is one, is reported elsewhere:
    // by the GraphQL plugins once Apollo Server ran its request pipeline
    // (`reportsRefusals`), or by the context's own failure. Apollo Server
    // answers some malformed requests (a batch, a query that is not a
    // string) after building the context but before any plugin sees them:
    // those the caller reports.
    let contextAttempted = false;
    let context: TContext | undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (req.method ?? 'GET').toUpperCase(),
        headers,
        search: url.search,
        body,
      },
      context: async () => {
        contextAttempted = true;
        context = await options.context(incoming);
        return context;
      },
    });
    // A context that failed to build is reported by Apollo Server's
    // contextCreationDidFail hook.
    const reported =
      context === undefined
        ? contextAttempted
        : (options.reportsRefusals?.(context) ?? true);
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      // The code matters only for a refusal the caller reports: reading it
      // parses the whole answer, so never for one that is not a refusal.
      const code =
        reported || res.statusCode < 400
          ? undefined
          : errorCodeOf(response.body.string);
      return code === undefined ? { reported } : { reported, code };
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
    return { reported };
  };

  const refused = (refusal: RefusedRequest) => {
    try {
      options.onRefused?.(refusal);
    } catch (error) {
      logger.error(
        {
          requestId: refusal.requestId,
          err: describeError(error),
        },
        'refusal not reported',
      );
    }
  };

  const httpServer = http.createServer((req, res) => {
    const started = performance.now();
    const incoming = req.headers[REQUEST_ID_HEADER];
    const clientRequestId =
      typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming)
        ? incoming
        : null;
    const requestId =
      options.trustRequestIdHeader && clientRequestId !== null
        ? clientRequestId
        : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const remoteAddress = req.socket.remoteAddress ?? null;
    // Everything done for this request, its log lines included, names it.
    runInRequestScope(requestId, () =>
      handle(req, res, requestId, clientRequestId),
    )
      .then((outcome) => {
        if (!outcome.reported && res.statusCode >= 400) {
          refused({
            requestId,
            clientRequestId,
            status: res.statusCode,
            code: outcome.code ?? refusalCode(res.statusCode),
            remoteAddress,
          });
        }
      })
      .catch((err: unknown) => {
        if (err instanceof HttpError) {
          for (const [key, value] of Object.entries(err.headers))
            res.setHeader(key, value);
          sendJson(res, err.status, {
            errors: [
              {
                message: err.message,
                extensions: { ...err.extensions, code: err.code },
              },
            ],
          });
          refused({
            requestId,
            clientRequestId,
            status: err.status,
            code: err.code,
            remoteAddress,
          });
          return;
        }
        logger.error({ requestId, err: describeError(err) }, 'request failed');
        if (!res.headersSent) {
          sendJson(res, 500, {
            errors: [
              {
                message: 'Internal server error.',
                extensions: { code: 'INTERNAL_SERVER_ERROR' },
              },
            ],
          });
        } else {
          res.end();
        }
      })
      .finally(() => {
        // One line per request (probes excepted), with the request id the
        // gateway forwards, so a request can be followed across services.
        if (
          req.url !== '/health' &&
          req.url !== '/ready' &&
          req.url !== '/metrics'
        ) {
          logger.info(
            {
              requestId,
              ...(clientRequestId !== null && clientRequestId !== requestId
                ? { clientRequestId }
                : {}),
              method: req.method,
              path: req.url,
              status: res.statusCode,
              ms: Math.round(performance.now() - started),
            },
            'http request',
          );
        }
      });
  });
  httpServer.keepAliveTimeout = 5_000;
  // Malformed requests and oversized headers (431) are answered by Node
  // before any handler runs; they are refusals too.
  httpServer.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    if (err.code !== 'ECONNRESET')
      refused({
        requestId: randomUUID(),
        clientRequestId: null,
        status,
        code:
          status === 431 ? 'REQUEST_HEADER_FIELDS_TOO_LARGE' : 'BAD_REQUEST',
        remoteAddress: (socket as Socket).remoteAddress ?? null,
      });
    if (socket.writable)
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\n\r\n`,
      );
    else socket.destroy();
  });

  return {
    httpServer,
    async listen(port, host) {
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
    async stop() {
      const closed = new Promise<void>((resolve) =>
        httpServer.close(() => resolve()),
      );
      httpServer.closeIdleConnections();
      // In-flight requests get a grace period, then their sockets are closed.
      const timer = setTimeout(() => httpServer.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(timer);
      await apollo.stop();
    },
  };
}
