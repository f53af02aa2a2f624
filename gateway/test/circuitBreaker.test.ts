import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/circuitBreaker.js';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, probes once after the open time, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({
      failures: 2,
      openMs: 1000,
      now: () => now,
    });
    breaker.failure();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('opens again when the probe fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker({
      failures: 1,
      openMs: 1000,
      now: () => now,
    });
    breaker.failure();
    now = 1500;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    now = 2400;
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('forgets failures once the subgraph answers', () => {
    const breaker = new CircuitBreaker({ failures: 2, openMs: 1000 });
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
  });
});
