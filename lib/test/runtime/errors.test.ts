import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  BadUserInputError,
  createFormatError,
  describeError,
} from '../../runtime/errors.js';

function recordingLogger() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  return {
    lines,
    error: (obj: object, msg?: string) =>
      void lines.push({ level: 'error', obj, ...(msg ? { msg } : {}) }),
    info: (obj: object, msg?: string) =>
      void lines.push({ level: 'info', obj, ...(msg ? { msg } : {}) }),
  };
}

/** What Apollo Server hands formatError: the formatted error (code defaulted) and the original. */
function format(error: GraphQLError, logger = recordingLogger()) {
  const formatted = error.toJSON();
  const withCode = {
    ...formatted,
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...formatted.extensions,
    },
  };
  return createFormatError({ logger })(withCode, error);
}

describe('createFormatError', () => {
  it('answers a mongoose cast of a crafted value with BAD_USER_INPUT and a message naming no model', () => {
    const cast = Object.assign(
      new Error(
        'Cast to date failed for value "nope" (type string) at path "startsAt" for model "Workshop"',
      ),
      { name: 'CastError' },
    );
    const logger = recordingLogger();
    const result = format(
      new GraphQLError(cast.message, {
        originalError: cast,
        path: ['workshops'],
      }),
      logger,
    );
    expect(result.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(result.message).not.toMatch(/Workshop|startsAt/);
    expect(result.path).toEqual(['workshops']);
    expect(logger.lines[0]?.obj).toMatchObject({
      err: expect.stringContaining('CastError') as string,
    });
  });

  it("gives a scalar's refused literal its own BAD_USER_INPUT rather than GRAPHQL_VALIDATION_FAILED", () => {
    const cause = new BadUserInputError(
      'DateTime must be an ISO 8601 date-time, got "nope".',
    );
    const validation = new GraphQLError(cause.message, {
      originalError: cause,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(format(validation).extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('keeps GRAPHQL_VALIDATION_FAILED for other validation errors', () => {
    const validation = new GraphQLError(
      'Cannot query field "x" on type "Query".',
      {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    );
    expect(format(validation).extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it("answers Apollo Server's code-less APQ hash mismatch with PERSISTED_QUERY_HASH_MISMATCH", () => {
    const mismatch = new GraphQLError('provided sha does not match query', {
      extensions: { http: { status: 400 } },
    });
    expect(format(mismatch)).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' },
    });
  });

  it('masks anything else as INTERNAL_SERVER_ERROR and logs its message and stack', () => {
    const logger = recordingLogger();
    const result = format(
      new GraphQLError('secret at /srv/app.ts', {
        originalError: new Error('secret at /srv/app.ts'),
      }),
      logger,
    );
    expect(result).toEqual({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(logger.lines[0]?.obj).toMatchObject({
      err: expect.stringContaining('secret at /srv/app.ts') as string,
      stack: expect.any(String) as string,
    });
  });
});

describe('describeError', () => {
  it('never answers "[object Object]"', () => {
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError({ message: 'an object' })).toBe('an object');
    expect(describeError({ code: 7 })).toBe('{"code":7}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(describeError(cyclic)).not.toBe('[object Object]');
    expect(describeError('text')).toBe('text');
  });
});
