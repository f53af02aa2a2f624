/**
 * Trusted documents (a safelist of operations) and persisted queries.
 *
 * The list is an Apollo persisted-query manifest (`TRUSTED_DOCUMENTS_FILE`,
 * the JSON that `@apollo/generate-persisted-query-manifest` writes:
 * `{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id,
 * name, type, body }] }`), each `id` the sha256 (hex) of its `body`, as
 * Apollo's automatic persisted queries (APQ) hash a document. With it:
 *
 * - `enforce` (`TRUSTED_DOCUMENTS_MODE`, the default with a file): the
 *   gateway serves only the list's operations, sent by id (`extensions.
 *   persistedQuery.sha256Hash` alone) or in full; anything else is refused
 *   before it is parsed (HTTP 400 `PERSISTED_QUERY_NOT_IN_LIST` for an
 *   unknown id, `QUERY_NOT_IN_SAFELIST` for an unknown text, audited like
 *   every refusal), and clients cannot register new ones through APQ.
 * - `allow`: the list's ids are served, any other operation too, and APQ
 *   registers other documents as usual (a migration step towards enforce).
 * - `off` (no file): Apollo Server's APQ as it comes (in memory, any
 *   document registers).
 *
 * A persisted query saves the client sending, and the gateway reading, the
 * document's text; parsing, validation and the query plan are cached per
 * document by Apollo Server (its document store) and @apollo/gateway (its
 * query-plan store) either way (docs/performance.md). Subscriptions (WebSocket,
 * SSE) are not covered by the list (gateway/src/subscriptions/).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ApolloServerOptions, BaseContext } from '@apollo/server';
import { ErrorCode } from '../../lib/runtime/errors.js';
import {
  HttpError,
  type IncomingGraphQLRequest,
} from '../../lib/runtime/http.js';

/** How the list is applied (see the module comment). */
export type TrustedDocumentsMode = 'off' | 'allow' | 'enforce';

/** The trusted documents of one gateway. */
export interface TrustedDocuments {
  readonly mode: TrustedDocumentsMode;
  /** How many operations the list holds. */
  readonly size: number;
  /**
   * Refuses, in `enforce` mode, a request whose document is not in the list
   * (before it is parsed).
   * @throws HttpError 400 with code PERSISTED_QUERY_NOT_IN_LIST or QUERY_NOT_IN_SAFELIST.
   */
  check(request: IncomingGraphQLRequest): void;
  /** Apollo Server's `persistedQueries` option for this mode. */
  readonly persistedQueries: ApolloServerOptions<BaseContext>['persistedQueries'];
}

const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
// Apollo Server prefixes the keys it asks its APQ cache for.
const APQ_PREFIX = 'apq:';
/** Documents registered through APQ in `allow` mode, at most (oldest dropped). */
const REGISTERED_MAX = 1000;

/** sha256 (hex) of a document, as APQ hashes it. */
export function documentId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Reads a manifest's operations.
 * @throws Error naming what is wrong (format, version, an operation whose id is not its body's hash).
 */
export function parseTrustedDocumentsManifest(
  manifest: unknown,
  source: string,
): Map<string, string> {
  const fail = (why: string): never => {
    throw new Error(`${source} is not a trusted-documents manifest: ${why}`);
  };
  if (typeof manifest !== 'object' || manifest === null) fail('not an object');
  const { format, version, operations } = manifest as Record<string, unknown>;
  if (format !== MANIFEST_FORMAT) fail(`format must be "${MANIFEST_FORMAT}"`);
  if (version !== 1) fail('version must be 1');
  if (!Array.isArray(operations)) fail('operations must be an array');
  const documents = new Map<string, string>();
  (operations as unknown[]).forEach((operation, index) => {
    const { id, body } = (operation ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof body !== 'string' || body === '')
      fail(`operations[${index}] needs a string id and a non-empty body`);
    if (documentId(body as string) !== id)
      fail(
        `operations[${index}] (${String(id)}): the id must be the sha256 (hex) of the body`,
      );
    documents.set(id as string, body as string);
  });
  return documents;
}

/** Loads `TRUSTED_DOCUMENTS_FILE` for `mode`. */
export async function loadTrustedDocuments(
  file: string,
  mode: Exclude<TrustedDocumentsMode, 'off'>,
): Promise<TrustedDocuments> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(`Cannot read TRUSTED_DOCUMENTS_FILE ${file} (${code}).`, {
      cause: error,
    });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`TRUSTED_DOCUMENTS_FILE ${file} is not JSON.`, {
      cause: error,
    });
  }
  return createTrustedDocuments(
    parseTrustedDocumentsManifest(manifest, file),
    mode,
  );
}

/** The persisted-query id and text of a POST body or GET query string. */
function documentOf(request: IncomingGraphQLRequest): {
  query: unknown;
  id: unknown;
} {
  let query: unknown;
  let extensions: unknown;
  if (request.body !== undefined) {
    // Batches (arrays) and other shapes are refused by Apollo Server itself.
    if (typeof request.body !== 'object' || request.body === null)
      return { query: undefined, id: undefined };
    ({ query, extensions } = request.body as Record<string, unknown>);
  } else {
    const params = new URLSearchParams(request.search);
    query = params.get('query') ?? undefined;
    const raw = params.get('extensions');
    try {
      extensions = raw === null ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      extensions = undefined; // Apollo Server answers the malformed JSON itself.
    }
  }
  const persisted =
    typeof extensions === 'object' && extensions !== null
      ? (extensions as Record<string, unknown>)['persistedQuery']
      : undefined;
  const id =
    typeof persisted === 'object' && persisted !== null
      ? (persisted as Record<string, unknown>)['sha256Hash']
      : undefined;
  return { query, id };
}

function refuse(code: string, message: string): never {
  throw new HttpError(400, message, code);
}

/** The trusted documents of `documents` (id → body) applied in `mode`. */
export function createTrustedDocuments(
  documents: ReadonlyMap<string, string>,
  mode: TrustedDocumentsMode,
): TrustedDocuments {
  const listed = (key: string) =>
    documents.get(
      key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key,
    );
  const registered = new Map<string, string>();
  const persistedQueries: TrustedDocuments['persistedQueries'] =
    mode === 'off'
      ? undefined
      : {
          cache: {
            async get(key) {
              return listed(key) ?? registered.get(key);
            },
            async set(key, value) {
              // enforce: nothing registers; allow: other documents do, bounded.
              if (mode !== 'allow' || listed(key) !== undefined) return;
              if (registered.size >= REGISTERED_MAX) {
                const oldest = registered.keys().next().value;
                if (oldest !== undefined) registered.delete(oldest);
              }
              registered.set(key, value);
            },
            async delete(key) {
              return registered.delete(key);
            },
          },
          // The list is fixed for the process's life; registrations are bounded above.
          ttl: null,
        };
  return {
    mode,
    size: documents.size,
    persistedQueries,
    check(request) {
      if (mode !== 'enforce') return;
      const { query, id } = documentOf(request);
      if (typeof query === 'string') {
        if (!documents.has(documentId(query)))
          refuse(
            ErrorCode.QUERY_NOT_IN_SAFELIST,
            'This gateway serves trusted operations only, and this document is not one of them.',
          );
        return;
      }
      if (typeof id === 'string' && !documents.has(id))
        refuse(
          ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
          'Unknown persisted operation id: this gateway serves trusted operations only.',
        );
    },
  };
}
