/**
 * The gateway's per-request context: who is asking (verified from the
 * bearer token), the request id, and the client's self-declared name.
 */
import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import type { EnforcementReport } from '../../lib/records/access/index.js';
import type { Logger } from '../../lib/runtime/logger.js';
import { PURPOSE_HEADER } from '../../lib/runtime/roles.js';
import { withPurpose, type Viewer } from '../../lib/runtime/viewer.js';

/** Headers in which apps name themselves (Apollo's convention). */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';
export const CLIENT_VERSION_HEADER = 'apollographql-client-version';

/** Context of one gateway request. */
export interface GatewayContext extends BaseContext {
  /** The caller; anonymous when no token was sent. */
  viewer: Viewer;
  /** Request id, forwarded to subgraphs and written in logs and the audit trail. */
  requestId: string;
  /** Child logger bound to the request id. */
  logger: Logger;
  /** `apollographql-client-name` header, or null. */
  clientName: string | null;
  /** `apollographql-client-version` header, or null. */
  clientVersion: string | null;
  /** Names of the subgraphs this request called, filled in as fetches go out. */
  subgraphsCalled: Set<string>;
  /** The client's own `x-request-id`, kept apart from the gateway's id (which the client cannot choose). */
  clientRequestId: string | null;
  /**
   * Set by the audit plugin once the event of a mutation is recorded, before
   * execution: only then do its subgraph tokens carry the audit link that
   * subgraphs require of writes.
   */
  auditedWrite: boolean;
  /**
   * `recorded` is set by the audit plugin when the request enters Apollo
   * Server's request pipeline: from then on the plugin records its event. A
   * refusal answered before (a batch) is recorded by the HTTP layer's
   * `onRefused`. An object shared by reference, not a boolean: Apollo Server
   * runs the pipeline on a shallow copy of the context, and the HTTP layer
   * reads the mark on the context it built.
   */
  readonly audit: { recorded: boolean };
  /**
   * What each subgraph fetch reported it enforced (decisions with their
   * rules, keys of protected records served), taken out of its response
   * extensions by the data source; the audit event is built from these.
   */
  enforcement: { subgraph: string; report: EnforcementReport }[];
  /** The response cache's part of the request (gateway/src/plugins/responseCachePlugin.ts). */
  responseCache?: {
    /** Whether the cache may answer it: requests over HTTP only, never an operation the gateway runs itself. */
    readonly eligible: boolean;
    /**
     * While set, the data sources ask the subgraphs for the entities of the
     * answer and add their tags (`<Type>:<key>`) here.
     */
    entities: Set<string> | null;
    /**
     * The cache's invalidation sequence at the lookup: only requests that
     * looked up at the same one share an in-flight fetch, so an answer fetched
     * before an invalidation is never stored by a request that looked up after it.
     */
    sequence: number | null;
    /** Set when the answer came from the cache (no execution: the usage plugin records it then). */
    hit: boolean;
  };
}

/** Options of {@link createContextFactory}. */
export interface ContextFactoryOptions {
  /** Verifies the request's Authorization header; throws UnauthenticatedError on a bad token. */
  authenticate: (req: IncomingMessage) => Promise<Viewer>;
  logger: Logger;
}

/** A request header as the gateway records it (trimmed, at most 200 characters), or null. */
export function requestHeader(
  req: IncomingMessage,
  name: string,
): string | null {
  const value = req.headers[name];
  if (typeof value !== 'string') return null;
  const trimmed = value.trim().slice(0, 200);
  return trimmed === '' ? null : trimmed;
}

/** Builds the gateway's `context` function. */
export function createContextFactory(options: ContextFactoryOptions) {
  return async ({
    req,
    requestId,
    clientRequestId,
  }: {
    req: IncomingMessage;
    requestId: string;
    clientRequestId: string | null;
  }): Promise<GatewayContext> => {
    // The purpose is declared per request; which purposes the caller may
    // declare follows from its verified scopes, checked where the data is
    // (ADR 0015).
    const viewer = withPurpose(
      await options.authenticate(req),
      requestHeader(req, PURPOSE_HEADER),
    );
    return {
      viewer,
      requestId,
      logger: options.logger.child({ requestId }),
      clientName: requestHeader(req, CLIENT_NAME_HEADER),
      clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
      subgraphsCalled: new Set(),
      clientRequestId,
      auditedWrite: false,
      audit: { recorded: false },
      enforcement: [],
      responseCache: {
        eligible: true,
        entities: null,
        sequence: null,
        hit: false,
      },
    };
  };
}

/**
 * The context of an operation the gateway runs itself through its Apollo
 * Server (a subscription's event, an Open311 call), for `viewer`.
 */
export function newGatewayContext(options: {
  viewer: Viewer;
  requestId: string;
  logger: Logger;
  clientName: string | null;
  clientVersion: string | null;
}): GatewayContext {
  return {
    viewer: options.viewer,
    requestId: options.requestId,
    logger: options.logger.child({ requestId: options.requestId }),
    clientName: options.clientName,
    clientVersion: options.clientVersion,
    subgraphsCalled: new Set(),
    clientRequestId: null,
    auditedWrite: false,
    audit: { recorded: false },
    enforcement: [],
    // A subscription's delivery must show the change its event announced.
    responseCache: {
      eligible: false,
      entities: null,
      sequence: null,
      hit: false,
    },
  };
}
