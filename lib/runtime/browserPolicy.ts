/**
 * What the HTTP layer lets browsers do: CORS (which web origins may call the
 * graph, and the preflight answers) and the CSRF rule that goes with it.
 *
 * - CORS follows the Fetch standard (https://fetch.spec.whatwg.org/#http-cors-protocol):
 *   an allowed origin gets `Access-Control-Allow-Origin: <origin>` and `Vary: Origin`;
 *   a preflight (`OPTIONS` with `Access-Control-Request-Method`) gets 204 with the
 *   methods and the requested headers; any other origin gets 403 and no CORS header.
 *   No credentials mode: the graph authenticates with bearer tokens, never cookies,
 *   so `Access-Control-Allow-Credentials` is never sent.
 * - CSRF: Apollo Server's rule (a request must be preflighted: a content type other
 *   than the three "simple" ones, or a non-empty `x-apollo-operation-name` /
 *   `apollo-require-preflight` header), widened for the clients' defaults: a
 *   request carrying `authorization` is always preflighted by a browser, and a
 *   `GET` (queries only: Apollo refuses mutations over GET) from an allowed origin
 *   or from no browser at all (no `Origin`) carries no ambient credential and its
 *   answer is readable only by allowed origins. See docs/clients.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of {@link createBrowserPolicy}. */
export interface BrowserPolicyOptions {
  /**
   * Origins allowed to call the graph from a browser, exact
   * (`https://portal.marseille.fr`), as configured by `CORS_ORIGINS`.
   */
  allowedOrigins: readonly string[];
  /**
   * Also allow any `http://localhost:<port>`, `http://127.0.0.1:<port>` and
   * `http://[::1]:<port>` origin (development and tests).
   * @default false
   */
  allowLocalhost?: boolean;
  /**
   * How long a browser may cache a preflight answer, in seconds.
   * @default 600
   */
  maxAgeSeconds?: number;
}

/** Why a request was refused by {@link BrowserPolicy.check}. */
export interface BrowserRefusal {
  status: 400 | 403;
  message: string;
}

/** The CORS and CSRF policy of one service. */
export interface BrowserPolicy {
  /** Whether a browser page at `origin` may call the graph. */
  allows(origin: string): boolean;
  /**
   * Sets the CORS response headers for `req` and answers a preflight.
   * Returns true when the request was fully answered (a preflight).
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** The refusal of a request a browser could have sent without a preflight, or null. */
  check(req: IncomingMessage): BrowserRefusal | null;
}

/** Methods the graph answers. */
const METHODS = 'GET, POST, OPTIONS';
/** Response headers browsers may read besides the safelisted ones. */
const EXPOSED = 'x-request-id';
/** Content types a browser sends without a preflight (Fetch "CORS-safelisted"). */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);
/** Headers a browser never sends cross-origin without a preflight. */
const PREFLIGHTED_HEADERS = [
  'x-apollo-operation-name',
  'apollo-require-preflight',
  'authorization',
];
const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The origin of the service itself as `req` addressed it (same-origin requests carry it). */
function ownOrigin(req: IncomingMessage): string | undefined {
  const host = single(req.headers.host);
  if (!host) return undefined;
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${encrypted ? 'https' : 'http'}://${host}`;
}

/** Builds a service's CORS and CSRF policy. */
export function createBrowserPolicy(
  options: BrowserPolicyOptions,
): BrowserPolicy {
  const exact = new Set(options.allowedOrigins);
  const maxAge = String(options.maxAgeSeconds ?? 600);
  const allows = (origin: string) =>
    exact.has(origin) ||
    (options.allowLocalhost === true && LOCALHOST.test(origin));
  const permitted = (req: IncomingMessage, origin: string) =>
    allows(origin) || origin === ownOrigin(req);

  return {
    allows,
    handle(req, res) {
      const origin = single(req.headers.origin);
      // Answers differ by Origin: caches must key on it.
      res.setHeader('vary', 'Origin');
      const preflight =
        req.method === 'OPTIONS' &&
        req.headers['access-control-request-method'] !== undefined;
      if (origin === undefined || !permitted(req, origin)) {
        if (preflight) {
          res.statusCode = 403;
          res.end();
          return true;
        }
        return false;
      }
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED);
      if (!preflight) return false;
      res.setHeader('access-control-allow-methods', METHODS);
      const requested = single(req.headers['access-control-request-headers']);
      if (requested) res.setHeader('access-control-allow-headers', requested);
      res.setHeader('access-control-max-age', maxAge);
      res.setHeader('vary', 'Origin, Access-Control-Request-Headers');
      res.statusCode = 204;
      res.end();
      return true;
    },
    check(req) {
      const origin = single(req.headers.origin);
      if (origin !== undefined && !permitted(req, origin)) {
        return {
          status: 403,
          message: `Origin ${origin} may not call the graph: it is not in CORS_ORIGINS (see docs/clients.md).`,
        };
      }
      const contentType = single(req.headers['content-type'])
        ?.split(';')[0]
        ?.trim()
        .toLowerCase();
      if (contentType && !SIMPLE_CONTENT_TYPES.has(contentType)) return null;
      if (PREFLIGHTED_HEADERS.some((name) => single(req.headers[name])))
        return null;
      // A GET here comes from an allowed origin or from no browser page.
      if (req.method === 'GET' && !contentType) return null;
      return {
        status: 400,
        message:
          'This request has been blocked because it could be a cross-site request forgery (CSRF): send it with `content-type: application/json`, or with an `apollo-require-preflight` or `authorization` header (see docs/clients.md).',
      };
    },
  };
}
