/**
 * Custom scalars shared by the subgraphs. A scalar declared in several
 * subgraphs composes into one, so each must serialize the same way: here.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { GraphQLDate, GraphQLDateTime } from 'graphql-scalars';
import { BadUserInputError } from '../runtime/errors.js';

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

// graphql-scalars validates (RFC 3339 section 5.6 to the letter: seconds
// required, real calendar days, leap years, offsets in range); we keep the
// bare date our arguments have always taken, and BAD_USER_INPUT (its errors
// carry no code). ADR 0012.
function parseDate(value: unknown): Date {
  if (typeof value === 'string') {
    try {
      return BARE_DATE.test(value)
        ? (GraphQLDate.parseValue(value) as Date)
        : (GraphQLDateTime.parseValue(value) as Date);
    } catch {
      // Refused below, with the code and an example.
    }
  }
  throw new BadUserInputError(
    `DateTime must be an RFC 3339 date-time such as 2026-11-25T08:00:00Z (or a date such as 2026-11-25), got ${JSON.stringify(value)}.`,
  );
}

/** Where `DateTime` is specified: RFC 3339's `date-time` (the schemas' `@specifiedBy`). */
export const DATE_TIME_SPECIFIED_BY =
  'https://www.rfc-editor.org/rfc/rfc3339#section-5.6';

/**
 * `DateTime`: an RFC 3339 instant, serialized in UTC. Parsed by
 * graphql-scalars' `DateTime` (and its `Date` for a bare date, midnight UTC,
 * which arguments have always accepted and its `DateTime` refuses); the
 * answer is always a string, where graphql-scalars' serializes a `Date` and
 * leaves the string to JSON (ADR 0012).
 * `codegenScalarType` tells GraphQL Code Generator the TypeScript type when it
 * reads the schema from code (docs/clients.md: `strictScalars` without a map).
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant, as an RFC 3339 date-time string in UTC, e.g. `2026-11-25T08:00:00.000Z` (answers always use that form). Arguments also accept an offset (`2026-11-25T09:00:00+01:00`) or a bare date (`2026-11-25`, midnight UTC).',
  specifiedByURL: DATE_TIME_SPECIFIED_BY,
  extensions: {
    codegenScalarType: 'string',
    jsonSchema: { type: 'string', format: 'date-time' },
  },
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

/** Every custom scalar of the city graph, as the subgraphs serve it (lib/tooling/clientSchema reads their extensions). */
export const CITY_SCALARS: readonly GraphQLScalarType[] = [DateTimeScalar];
