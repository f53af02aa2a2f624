/**
 * Custom scalars shared by the subgraphs. A scalar declared in several
 * subgraphs composes into one, so each must serialize the same way: here.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from '../runtime/errors.js';

function parseDate(value: unknown): Date {
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value)
  ) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new BadUserInputError(
    `DateTime must be an ISO 8601 date-time such as 2026-11-25T08:00:00Z, got ${JSON.stringify(value)}.`,
  );
}

/** `DateTime`: an ISO 8601 instant, serialized in UTC. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant, as an ISO 8601 string in UTC (e.g. 2026-11-25T08:00:00.000Z).',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime()))
      throw new TypeError('DateTime cannot serialize an invalid date');
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new BadUserInputError('DateTime must be a string.');
    return parseDate(ast.value);
  },
});
