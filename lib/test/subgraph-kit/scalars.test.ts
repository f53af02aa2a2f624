import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from '../../subgraph-kit/scalars.js';

const parse = (value: unknown) => DateTimeScalar.parseValue(value);

describe('DateTimeScalar', () => {
  it('takes an RFC 3339 date-time, in UTC or with an offset, with or without fractions', () => {
    expect(parse('2026-11-25T08:00:00Z').toISOString()).toBe(
      '2026-11-25T08:00:00.000Z',
    );
    expect(parse('2026-11-25T09:00:00+01:00').toISOString()).toBe(
      '2026-11-25T08:00:00.000Z',
    );
    expect(parse('2026-11-25T08:00:00.123Z').toISOString()).toBe(
      '2026-11-25T08:00:00.123Z',
    );
    // RFC 3339 5.6: "T" and "Z" may be lower case.
    expect(parse('2026-11-25t08:00:00z').toISOString()).toBe(
      '2026-11-25T08:00:00.000Z',
    );
  });

  it('takes a bare date as midnight UTC, a leap day included', () => {
    expect(parse('2026-11-25').toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(parse('2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each([
    ['a day the month does not have', '2026-02-30T00:00:00Z'],
    ['a leap day of a common year', '2026-02-29'],
    ['a month 13', '2026-13-01'],
    ['an hour 25', '2026-11-25T25:00:00Z'],
    ['no seconds', '2026-11-25T08:00Z'],
    ['no offset', '2026-11-25T08:00:00'],
    ['a one-digit hour', '2026-11-25T8:00:00Z'],
    ['not a date', 'nope'],
    ['a number', 1764057600000],
  ])(
    'refuses %s with BAD_USER_INPUT, never rolling it over',
    (_what, value) => {
      expect(() => parse(value)).toThrow(
        expect.objectContaining({
          extensions: { code: 'BAD_USER_INPUT' },
          message: expect.stringContaining('RFC 3339') as string,
        }),
      );
    },
  );

  it('refuses a literal that is not a string', () => {
    expect(() =>
      DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '1' }),
    ).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
    );
  });

  it('answers a UTC string with milliseconds, from a Date or a stored string', () => {
    expect(
      DateTimeScalar.serialize(new Date('2026-11-25T09:00:00+01:00')),
    ).toBe('2026-11-25T08:00:00.000Z');
    expect(DateTimeScalar.serialize('2026-11-25T08:00:00Z')).toBe(
      '2026-11-25T08:00:00.000Z',
    );
  });
});
