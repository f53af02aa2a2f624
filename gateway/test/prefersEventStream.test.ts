import { describe, expect, it } from 'vitest';
import { prefersEventStream } from '../src/subscriptions/liveService.js';

describe('prefersEventStream', () => {
  it('routes what SSE clients send to the SSE handler', () => {
    expect(prefersEventStream('text/event-stream')).toBe(true);
    expect(
      prefersEventStream('text/event-stream, application/json;q=0.5'),
    ).toBe(true);
  });

  it('answers urql’s GET queries, which list event streams after JSON, as plain queries', () => {
    expect(
      prefersEventStream(
        'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
      ),
    ).toBe(false);
    expect(
      prefersEventStream('text/event-stream;q=0.5, application/json'),
    ).toBe(false);
    expect(prefersEventStream('*/*')).toBe(false);
    expect(prefersEventStream('')).toBe(false);
  });
});
