/**
 * Where the gateway's supergraph comes from, and how a new one reaches the
 * running gateway without a restart: the committed `supergraph.graphql`
 * (polled by mtime, size and content hash) or, in deployments, a URL
 * (polled with ETag). A new supergraph is parsed and validated before the
 * gateway sees it; one that fails is refused, logged, and the gateway keeps
 * serving the previous one. Requests already executing finish on the plan
 * they started with; Apollo Server swaps its schema for new requests only.
 *
 * Plugs into ApolloGateway's `supergraphSdl` option:
 * `new ApolloGateway({ supergraphSdl: source.hook })`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, print, visit } from 'graphql';
import { describeError } from '../../lib/runtime/errors.js';
import type { Logger } from '../../lib/runtime/logger.js';

/** Options of {@link createSupergraphSource}. Exactly one of `path` and `url`. */
export interface SupergraphSourceOptions {
  /** The supergraph file (Config.gateway.supergraphPath). */
  path?: string;
  /** A URL serving the supergraph SDL (Config.gateway.supergraphUrl); wins over `path`. */
  url?: string;
  /** How often to look for a new supergraph (Config.gateway.supergraphPollIntervalMs); 0 disables polling. */
  pollIntervalMs: number;
  logger: Logger;
  /**
   * Ask the gateway to health-check the new supergraph's subgraphs before
   * switching (refused if one does not answer).
   * @default false
   */
  healthCheck?: boolean;
  /** fetch implementation, for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The source's handle. */
export interface SupergraphSource {
  /** Pass as ApolloGateway's `supergraphSdl`. */
  hook: SupergraphSdlHook;
  /** The supergraph SDL currently served, as the file or URL holds it. Throws before the gateway has loaded. */
  current(): string;
  /**
   * Looks for a new supergraph now (what the poll timer does); resolves to
   * true when the gateway switched to a new one.
   */
  checkNow(): Promise<boolean>;
}

const AUTHORIZATION_SPECS =
  /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v/;

/**
 * The supergraph as @apollo/gateway can load it. Composition links the
 * authorization specs `for: SECURITY`, which tells a router that does not
 * enforce them to refuse the supergraph; @apollo/gateway 2.14 does refuse it
 * ("feature …/authenticated/v0.1 is for: SECURITY but is unsupported",
 * federation-internals DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES). In the city
 * graph the subgraphs enforce those rules (lib/records/access), not the gateway,
 * so the gateway gets the supergraph without that purpose; the committed
 * file keeps it for auditors and for any router.
 */
export function supergraphForGateway(supergraphSdl: string): string {
  if (!/for:\s*SECURITY/.test(supergraphSdl)) return supergraphSdl;
  const document = parse(supergraphSdl);
  const edited = visit(document, {
    Directive(node) {
      if (node.name.value !== 'link') return undefined;
      const url = node.arguments?.find((arg) => arg.name.value === 'url');
      if (
        !url ||
        url.value.kind !== Kind.STRING ||
        !AUTHORIZATION_SPECS.test(url.value.value)
      )
        return undefined;
      return {
        ...node,
        arguments:
          node.arguments?.filter((arg) => arg.name.value !== 'for') ?? [],
      };
    },
  });
  return `${print(edited)}\n`;
}

/** Why a supergraph SDL is refused, or null when it is valid. */
export function supergraphProblem(supergraphSdl: string): string | null {
  if (supergraphSdl.trim() === '') return 'the supergraph is empty';
  try {
    // The same build the gateway does, with full validation whatever NODE_ENV says.
    Supergraph.build(supergraphForGateway(supergraphSdl), {
      validateSupergraph: true,
    }).apiSchema();
    return null;
  } catch (error) {
    return describeError(error);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Creates a supergraph source over a file or a URL. */
export function createSupergraphSource(
  options: SupergraphSourceOptions,
): SupergraphSource {
  const { logger } = options;
  const url = options.url;
  const file = options.path;
  if (url === undefined && file === undefined)
    throw new Error('createSupergraphSource needs a path or a url');
  const doFetch = options.fetch ?? globalThis.fetch;
  const where = url ?? file ?? '';

  let currentSdl: string | undefined;
  let currentHash: string | undefined;
  let fileStamp: string | undefined;
  let etag: string | undefined;
  let refusedHash: string | undefined;

  /** Reads the source; undefined when it has not changed since the last read. */
  const read = async (): Promise<string | undefined> => {
    if (url !== undefined) {
      const headers: Record<string, string> = {
        accept: 'text/plain, application/graphql',
      };
      if (etag !== undefined && currentSdl !== undefined)
        headers['if-none-match'] = etag;
      const response = await doFetch(url, {
        headers,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 304) return undefined;
      if (!response.ok)
        throw new Error(`GET ${url} answered ${response.status}`);
      const text = await response.text();
      etag = response.headers.get('etag') ?? undefined;
      return text;
    }
    const info = await stat(file as string);
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (stamp === fileStamp && currentSdl !== undefined) return undefined;
    const text = await readFile(file as string, 'utf8');
    fileStamp = stamp;
    return text;
  };

  let update: ((sdl: string) => void) | undefined;
  let healthCheck: ((sdl: string) => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let checking: Promise<boolean> | undefined;

  const check = async (): Promise<boolean> => {
    if (update === undefined || stopped) return false;
    let text: string | undefined;
    try {
      text = await read();
    } catch (error) {
      logger.warn(
        { err: describeError(error), source: where },
        'supergraph source unreadable; keeping the current supergraph',
      );
      return false;
    }
    if (text === undefined) return false;
    const hash = sha256(text);
    if (hash === currentHash || hash === refusedHash) return false;
    const problem = supergraphProblem(text);
    if (problem !== null) {
      refusedHash = hash;
      logger.error(
        { source: where, hash, reason: problem },
        'new supergraph refused; keeping the current one',
      );
      return false;
    }
    try {
      if (options.healthCheck && healthCheck) await healthCheck(text);
      update?.(supergraphForGateway(text));
    } catch (error) {
      refusedHash = hash;
      logger.error(
        { err: describeError(error), source: where, hash },
        'gateway refused the new supergraph; keeping the current one',
      );
      return false;
    }
    logger.info(
      { source: where, from: currentHash, to: hash },
      'supergraph updated',
    );
    currentSdl = text;
    currentHash = hash;
    refusedHash = undefined;
    return true;
  };

  const checkNow = (): Promise<boolean> => {
    // One check at a time: the gateway refuses an update while another is applied.
    checking ??= check().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const schedule = (): void => {
    if (stopped || options.pollIntervalMs <= 0) return;
    timer = setTimeout(() => {
      void checkNow().finally(schedule);
    }, options.pollIntervalMs);
    timer.unref();
  };

  const hook: SupergraphSdlHook = async (hookOptions) => {
    const text = await read();
    if (text === undefined)
      throw new Error(`supergraph at ${where} could not be read`);
    const problem = supergraphProblem(text);
    if (problem !== null)
      throw new Error(`supergraph at ${where} is not valid: ${problem}`);
    currentSdl = text;
    currentHash = sha256(text);
    update = hookOptions.update;
    healthCheck = hookOptions.healthCheck;
    stopped = false;
    logger.info(
      {
        source: where,
        hash: currentHash,
        pollIntervalMs: options.pollIntervalMs,
      },
      'supergraph loaded',
    );
    schedule();
    return {
      supergraphSdl: supergraphForGateway(text),
      async cleanup() {
        stopped = true;
        if (timer) clearTimeout(timer);
        await checking;
      },
    };
  };

  return {
    hook,
    current() {
      if (currentSdl === undefined)
        throw new Error('the supergraph has not been loaded yet');
      return currentSdl;
    },
    checkNow,
  };
}
