// Internal to localdb: the server errors a command can answer with.

/**
 * MongoDB error codes localdb answers with, by code name.
 * See https://github.com/mongodb/mongo/blob/master/src/mongo/base/error_codes.yml
 */
export const ErrorCode = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  InvalidBSON: 22,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  NoQueryExecutionPlans: 291,
  Location16755: 16755,
  Location40602: 40602,
  Location5626500: 5626500,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  Location17419: 17419,
  Location40324: 40324,
  Location40414: 40414,
  Location40415: 40415,
  InternalError: 1,
} as const;

/** A MongoDB error code number. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

const codeNames = new Map<number, string>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name]),
);

/** Extra fields a command error carries into its reply or write error. */
export interface CommandErrorDetails {
  /** For DuplicateKey: the index key pattern. */
  keyPattern?: Record<string, unknown>;
  /** For DuplicateKey: the duplicated key values. */
  keyValue?: Record<string, unknown>;
}

/**
 * An error that becomes a MongoDB error reply `{ ok: 0, errmsg, code, codeName }`
 * (or a write error inside a write command's reply).
 */
export class CommandError extends Error {
  /** The numeric MongoDB error code. */
  readonly code: number;
  /** The code's name, as MongoDB spells it. */
  readonly codeName: string;
  /** Extra reply fields. */
  readonly details: CommandErrorDetails;

  constructor(
    code: number,
    message: string,
    details: CommandErrorDetails = {},
  ) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
    this.codeName = codeNames.get(code) ?? 'UnknownError';
    this.details = details;
  }

  /** The error as the fields of a MongoDB error reply (without `ok`). */
  toReplyFields(): Record<string, unknown> {
    return {
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...this.details,
    };
  }
}

/** Turns anything thrown into a CommandError; unknown errors become InternalError with their message. */
export function toCommandError(err: unknown): CommandError {
  if (err instanceof CommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // mingo throws plain Errors for bad operators or expressions: to the client
  // that is bad input, which MongoDB reports as a BadValue-class error.
  return new CommandError(ErrorCode.BadValue, message);
}
