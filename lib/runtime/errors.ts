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

/** Options of {@link createFormatError}. */
export interface FormatErrorOptions {
  /** Where the original of a masked error is logged. */
  logger: { error(obj: object, msg?: string): void };
  /**
   * Whether stack traces may be sent to clients.
   * @default false
   */
  includeStacktrace?: boolean;
}

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
  'DOWNSTREAM_SERVICE_ERROR',
]);

/**
 * Builds Apollo Server's `formatError`: errors with a known code pass through
 * (without stack traces unless allowed); anything else is logged and replaced
 * by a generic INTERNAL_SERVER_ERROR, so no internals reach clients.
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
    if (known) {
      if (options.includeStacktrace) return formatted;
      const { stacktrace: _stacktrace, ...extensions } =
        formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    options.logger.error(
      {
        err:
          original instanceof Error
            ? { message: original.message, stack: original.stack }
            : String(original),
        path: formatted.path,
      },
      'unexpected error masked as INTERNAL_SERVER_ERROR',
    );
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
