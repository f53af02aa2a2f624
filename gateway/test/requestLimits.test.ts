import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../lib/runtime/http.js';
import { checkRequestLimits } from '../src/requestLimits.js';

const request = (body: unknown) => ({
  req: {} as IncomingMessage,
  requestId: 'r',
  clientRequestId: null,
  rawBody: '',
  body,
  search: '',
});

const refusal = (body: unknown): HttpError => {
  try {
    checkRequestLimits(request(body));
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('checkRequestLimits', () => {
  it('refuses an oversized document with 413 before parsing', () => {
    const error = refusal({ query: `{ ${'a '.repeat(12_000)} }` });
    expect([error.status, error.extensions['limit']]).toEqual([
      413,
      'documentBytes',
    ]);
  });

  it('refuses too many tokens with 400', () => {
    const error = refusal({ query: `{${'a,'.repeat(5_100)}}` });
    expect([error.status, error.extensions['limit']]).toEqual([400, 'tokens']);
  });

  it('refuses deeply nested variables without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 60_000; i++) deep = [deep];
    const error = refusal({ query: '{ a }', variables: { deep } });
    expect(error.extensions['limit']).toBe('variableDepth');
  });

  it('refuses too many variables', () => {
    const variables = Object.fromEntries(
      Array.from({ length: 50_000 }, (_, i) => [`v${i}`, i]),
    );
    expect(refusal({ query: '{ a }', variables }).extensions['limit']).toBe(
      'variables',
    );
  });

  it('lets an ordinary request and a syntax error through (the parser reports the latter)', () => {
    expect(() =>
      checkRequestLimits(request({ query: '{ a(first: 3) { b } }' })),
    ).not.toThrow();
    expect(() => checkRequestLimits(request({ query: '{ a(' }))).not.toThrow();
  });
});
