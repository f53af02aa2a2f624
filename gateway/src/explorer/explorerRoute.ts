/**
 * The city graph's explorer: GraphiQL served by the gateway itself from its
 * own node_modules (React, ReactDOM, graphql-ws and GraphiQL's UMD builds),
 * at the GraphQL endpoint when a browser asks for a page. No other host is
 * ever contacted: the page's Content-Security-Policy allows only the
 * gateway's own origin, so a request elsewhere is blocked by the browser
 * (docs/operations.md, "Explorer").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, print } from 'graphql';
import { HttpError, type HttpRoute } from '../../../lib/runtime/http.js';
import { EXPLORER_EXAMPLES, type ExplorerExample } from './examples.js';

const require = createRequire(import.meta.url);

/** A file of an installed package (its `exports` don't list the UMD builds). */
function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

/** Where the explorer's files are served from. */
export const EXPLORER_ASSET_PREFIX = '/explorer/';

/**
 * The page's policy: scripts, styles, fonts and connections from this
 * origin only (`'self'` also covers ws:// to the same host for
 * subscriptions); images from this origin or inline data (GraphiQL's icons).
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The files the page loads, by name under {@link EXPLORER_ASSET_PREFIX}. */
function loadAssets(): ReadonlyMap<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const files: [string, string, string][] = [
    ['react.js', packageFile('react', 'umd/react.production.min.js'), js],
    [
      'react-dom.js',
      packageFile('react-dom', 'umd/react-dom.production.min.js'),
      js,
    ],
    ['graphql-ws.js', packageFile('graphql-ws', 'umd/graphql-ws.min.js'), js],
    ['graphiql.js', packageFile('graphiql', 'graphiql.min.js'), js],
    [
      'graphiql.css',
      packageFile('graphiql', 'graphiql.min.css'),
      'text/css; charset=utf-8',
    ],
    [
      'explorer.js',
      new URL('assets/explorer.js', import.meta.url).pathname,
      js,
    ],
    [
      'explorer.css',
      new URL('assets/explorer.css', import.meta.url).pathname,
      'text/css; charset=utf-8',
    ],
  ];
  return new Map(
    files.map(([name, file, type]) => [
      name,
      { type, body: readFileSync(file) },
    ]),
  );
}

/** Said on every example tab: how to query as someone. */
const HEADERS_HINT =
  '# Anonymous by default. With a token (npm run -s token -- --role …),\n' +
  '# write {"authorization": "Bearer <token>"} under Headers below.';

function escapeJsonForHtml(value: unknown): string {
  // Inside <script type="application/json">, `<` must not open a tag.
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The explorer page (HTML). */
export function explorerPage(options: {
  endpoint: string;
  examples: readonly ExplorerExample[];
}): string {
  const config = {
    endpoint: options.endpoint,
    // Anonymous until the user adds a token (a placeholder would be sent
    // as a bad token and refused, schema included).
    defaultHeaders: '',
    examples: options.examples.map((example) => ({
      query: `# ${example.title}\n${HEADERS_HINT}\n${print(parse(example.query))}\n`,
    })),
  };
  const asset = (name: string) => `${EXPLORER_ASSET_PREFIX}${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Marseille city graph — explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('graphiql.css')}">
<link rel="stylesheet" href="${asset('explorer.css')}">
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script type="application/json" id="explorer-config">${escapeJsonForHtml(config)}</script>
<script src="${asset('react.js')}"></script>
<script src="${asset('react-dom.js')}"></script>
<script src="${asset('graphql-ws.js')}"></script>
<script src="${asset('graphiql.js')}"></script>
<script src="${asset('explorer.js')}"></script>
</body>
</html>
`;
}

/** Whether a request is a browser asking for a page (not a GraphQL client). */
function wantsPage(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    accept.includes('text/html')
  );
}

function send(
  res: ServerResponse,
  type: string,
  body: string | Buffer,
  cache: string,
): void {
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('content-security-policy', EXPLORER_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', cache);
  res.end(body);
}

/** Options of {@link explorerRoute}. */
export interface ExplorerRouteOptions {
  /**
   * The GraphQL endpoint the page serves and queries.
   * @default '/graphql'
   */
  endpoint?: string;
  /** @default EXPLORER_EXAMPLES (the README's queries) */
  examples?: readonly ExplorerExample[];
}

/**
 * The explorer as a route of the gateway's HTTP front: the page at the
 * GraphQL endpoint for a browser's `Accept: text/html`, its files under
 * `/explorer/`. GraphQL requests to the same URL are untouched.
 */
export function explorerRoute(options: ExplorerRouteOptions = {}): HttpRoute {
  const endpoint = options.endpoint ?? '/graphql';
  const assets = loadAssets();
  const page = explorerPage({
    endpoint,
    examples: options.examples ?? EXPLORER_EXAMPLES,
  });
  return {
    matches: (req, url) =>
      url.pathname.startsWith(EXPLORER_ASSET_PREFIX) ||
      (url.pathname === endpoint && wantsPage(req) && url.search === ''),
    handle: async (req, res, { url }) => {
      if (url.pathname === endpoint) {
        send(res, 'text/html; charset=utf-8', page, 'no-cache');
        return;
      }
      const asset = assets.get(
        url.pathname.slice(EXPLORER_ASSET_PREFIX.length),
      );
      if (!asset || (req.method !== 'GET' && req.method !== 'HEAD'))
        throw new HttpError(404, 'No such explorer file.', 'NOT_FOUND');
      send(res, asset.type, asset.body, 'public, max-age=3600');
    },
  };
}
