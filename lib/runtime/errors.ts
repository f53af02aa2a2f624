/**
 * The error catalogue of the city graph. Every GraphQL error a client sees
 * carries one of these codes in `extensions.code` (see docs/errors.md).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/** Error codes, as an `as const` object rather than an `enum` (type stripping cannot handle enums). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /** A subgraph (or the store it needs) cannot serve now; fast, named, retryable. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The gateway could not get an answer from a subgraph (`serviceName`, `reason`). */
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  /** The request exceeds a limit checked before parsing (`limit` names it); HTTP 400/413. */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** Too many requests from this caller; HTTP 429 with Retry-After. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** An automatic persisted query whose `sha256Hash` is not the hash of its `query` (Apollo Router's code); HTTP 400. */
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  /** Trusted documents enforced: a persisted-query id not in the list (Apollo Router's code); HTTP 400. */
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** Trusted documents enforced: a full document not in the list (Apollo Router's code); HTTP 400. */
  QUERY_NOT_IN_SAFELIST: 'QUERY_NOT_IN_SAFELIST',
  /**
   * A well-formed write the object's current state refuses (`reason`:
   * `INVALID_TRANSITION`, `STALE_VERSION`, `IDEMPOTENCY_KEY_IN_PROGRESS`);
   * nothing was changed. HTTP's 409 Conflict (docs/workflows.md).
   */
  CONFLICT: 'CONFLICT',
} as const;

/** One of the codes of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class: a GraphQLError whose `extensions.code` is set. Resolvers throw only subclasses of it. */
export class GraphQLErrorWithCode extends GraphQLError {
  /** The code also found in `extensions.code`. */
  readonly code: ErrorCode;

  constructor(
    message: string,
    code: ErrorCode,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.code = code;
    this.name = this.constructor.name;
  }
}

/** The client sent something invalid; nothing was changed. */
export class BadUserInputError extends GraphQLErrorWithCode {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.BAD_USER_INPUT, extensions);
  }
}

/** The request carries no identity, and the field requires one. */
export class UnauthenticatedError extends GraphQLErrorWithCode {
  constructor(
    message = 'Authentication required.',
    extensions: Record<string, unknown> = {},
  ) {
    super(message, ErrorCode.UNAUTHENTICATED, extensions);
  }
}

/** The identity is known but lacks the scope or policy the field requires. */
export class ForbiddenError extends GraphQLErrorWithCode {
  constructor(
    message = 'Forbidden.',
    extensions: Record<string, unknown> = {},
  ) {
    super(message, ErrorCode.FORBIDDEN, extensions);
  }
}

/** The requested object does not exist. */
export class NotFoundError extends GraphQLErrorWithCode {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.NOT_FOUND, extensions);
  }
}

/** The audit store cannot record the access, so the data is not served (fail closed). */
export class AuditUnavailableError extends GraphQLErrorWithCode {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.AUDIT_UNAVAILABLE, extensions);
  }
}

/** The subgraph cannot serve now (its database or replay store is unreachable). */
export class ServiceUnavailableError extends GraphQLErrorWithCode {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.SERVICE_UNAVAILABLE, extensions);
  }
}

/** Why a {@link ConflictError} refused a write (`extensions.reason`). */
export type ConflictReason =
  'INVALID_TRANSITION' | 'STALE_VERSION' | 'IDEMPOTENCY_KEY_IN_PROGRESS';

/**
 * The write is well formed but the object's current state refuses it: the
 * transition is not allowed from its state, the caller's `expectedVersion`
 * is stale, or a request with the same idempotency key is still running.
 * Nothing was changed; read the object again and decide.
 */
export class ConflictError extends GraphQLErrorWithCode {
  constructor(
    message: string,
    reason: ConflictReason,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, ErrorCode.CONFLICT, { ...extensions, reason });
  }
}

/** Too many requests from this caller in the current window (HTTP 429, Retry-After). */
export class RateLimitedError extends GraphQLErrorWithCode {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.RATE_LIMITED, extensions);
  }
}

/** Options of {@link createFormatError}. */
export interface FormatErrorOptions {
  /** Where the original of a masked error is logged. */
  logger: {
    error(obj: object, msg?: string): void;
    info(obj: object, msg?: string): void;
  };
}

/**
 * The `extensions` keys a client may see (docs/errors.md); anything else a
 * subgraph or library put there (a URL, a response body, a stack trace) is
 * dropped.
 */
export const CLIENT_EXTENSION_KEYS: ReadonlySet<string> = new Set([
  'code',
  'serviceName',
  'reason',
  'coordinate',
  'argumentName',
  'problems',
  'limit',
  'retryAfterSeconds',
  'currentState',
  'currentVersion',
]);

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
// Codes produced by Apollo Server itself for bad requests; they carry no
// internal detail and are passed through as they are.
const APOLLO_CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Mongo driver failures that mean "the database is unreachable" (server
 * selection, network, pool cleared), by error name: these become a fast,
 * named SERVICE_UNAVAILABLE instead of a masked INTERNAL_SERVER_ERROR.
 */
const DATABASE_DOWN = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

/**
 * Mongoose failures caused by the value a client sent: a value that cannot
 * be cast to the field's type (e.g. a crafted cursor whose sort value is not
 * a date). They become BAD_USER_INPUT; their own message names models and
 * paths, so a generic one is sent.
 */
const BAD_VALUE = new Set(['CastError', 'StrictModeError']);

/** Whether `error` (or its cause) is a mongoose cast of a client's value. */
export function isBadValue(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error && BAD_VALUE.has(e.name)) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/**
 * An error as one log string, whatever was thrown: an Error's message (with
 * its name when not plain `Error`), an object's `message`, or its JSON;
 * never "[object Object]".
 */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name &&
      error.name !== 'Error' &&
      !error.message.startsWith(error.name)
      ? `${error.name}: ${error.message}`
      : error.message;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    const json = JSON.stringify(safeJson(error));
    return json === undefined ? Object.prototype.toString.call(error) : json;
  }
  return String(error);
}

/** Apollo Server's message for an APQ whose `sha256Hash` is not its `query`'s (raised without a code). */
const APQ_MISMATCH_MESSAGE = 'provided sha does not match query';

/** The HTTP status Apollo Server set on an error it raised itself (`extensions.http.status`). */
function apolloHttpStatus(error: unknown): number | undefined {
  const http = (error as { extensions?: { http?: { status?: unknown } } })
    ?.extensions?.http;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/** Whether `error` (or its cause) says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error && DATABASE_DOWN.has(e.name)) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

function clientExtensions(
  extensions: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(extensions ?? {}))
    if (CLIENT_EXTENSION_KEYS.has(key)) kept[key] = value;
  return kept;
}

/**
 * Builds Apollo Server's `formatError`: errors with a documented code pass
 * through with the documented extensions only (never a stack trace, URL or
 * response body); a database that cannot be reached becomes
 * SERVICE_UNAVAILABLE; anything else is logged and replaced by a generic
 * INTERNAL_SERVER_ERROR, so no internals reach clients.
 */
export function createFormatError(options: FormatErrorOptions) {
  return (
    formatted: GraphQLFormattedError,
    error: unknown,
  ): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    const original = unwrapResolverError(error);
    const known =
      typeof code === 'string' &&
      (KNOWN_CODES.has(code) || APOLLO_CLIENT_CODES.has(code)) &&
      (code !== ErrorCode.INTERNAL_SERVER_ERROR ||
        original instanceof GraphQLErrorWithCode);
    const place = {
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
    };
    if (known) {
      const cause = (original as { originalError?: unknown } | null)
        ?.originalError;
      // A literal our scalar refused (an invalid DateTime) fails validation
      // with the scalar's own BAD_USER_INPUT as its cause: the client gets
      // that code, not GRAPHQL_VALIDATION_FAILED.
      const extensions =
        code === 'GRAPHQL_VALIDATION_FAILED' &&
        cause instanceof GraphQLErrorWithCode
          ? { ...formatted.extensions, code: cause.code }
          : formatted.extensions;
      return {
        message: formatted.message,
        ...place,
        extensions: clientExtensions(extensions),
      };
    }
    const status = apolloHttpStatus(original);
    if (
      (status !== undefined && status >= 400 && status < 500) ||
      formatted.message === APQ_MISMATCH_MESSAGE
    ) {
      // Apollo Server's own refusal of a bad request, raised without a code
      // (an APQ whose hash is not its query's): the client's fault, and the
      // message is Apollo's, never an internal detail.
      return {
        message: formatted.message,
        ...place,
        extensions: {
          code:
            formatted.message === APQ_MISMATCH_MESSAGE
              ? ErrorCode.PERSISTED_QUERY_HASH_MISMATCH
              : 'BAD_REQUEST',
        },
      };
    }
    if (isBadValue(original)) {
      options.logger.info(
        { err: describeError(original), path: formatted.path },
        'value refused by the model (answered BAD_USER_INPUT)',
      );
      return {
        message:
          'An argument has a value of the wrong type for this field (for example a cursor this field did not return). Nothing was changed.',
        ...place,
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      };
    }
    if (isDatabaseUnavailable(original)) {
      options.logger.error(
        { err: describeError(original), path: formatted.path },
        'database unavailable',
      );
      return {
        message:
          'The database of this service is unavailable; retry later. Other services still answer.',
        ...place,
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      };
    }
    options.logger.error(
      {
        err: describeError(original),
        ...(original instanceof Error ? { stack: original.stack } : {}),
        path: formatted.path,
      },
      'unexpected error masked as INTERNAL_SERVER_ERROR',
    );
    return {
      message: 'Internal server error.',
      ...place,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** A value as loggable JSON (never "[object Object]"). */
function safeJson(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}
