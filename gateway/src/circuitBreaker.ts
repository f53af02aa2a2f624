/**
 * Internal to the gateway: one circuit breaker per subgraph. After
 * `failures` consecutive failures (timeout, unreachable, 5xx) the circuit
 * opens: fetches to that subgraph fail at once, without waiting for a
 * timeout, for `openMs`. Then one probe fetch goes through (half open):
 * success closes the circuit, failure opens it again. So a hung or dead
 * department costs its own fields quickly instead of a timeout per request,
 * and comes back by itself.
 */

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (`SUBGRAPH_BREAKER_FAILURES`). */
  readonly failures: number;
  /** How long the circuit stays open before a probe (`SUBGRAPH_BREAKER_OPEN_MS`). */
  readonly openMs: number;
  /**
   * Clock, for tests.
   * @default performance.now
   */
  readonly now?: () => number;
}

/** The state of a circuit, as logged and shown in readiness. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A circuit breaker (see the module comment). */
export class CircuitBreaker {
  private readonly options: CircuitBreakerOptions;
  private readonly now: () => number;
  private consecutiveFailures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(options: CircuitBreakerOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** The current state. */
  get state(): CircuitState {
    if (this.consecutiveFailures < this.options.failures) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /**
   * Whether a fetch may go out now. While half open, only one (the probe)
   * is let through until it reports.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The subgraph answered. */
  success(): void {
    this.consecutiveFailures = 0;
    this.probing = false;
  }

  /** The subgraph timed out, was unreachable or answered 5xx. */
  failure(): void {
    this.probing = false;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.options.failures)
      this.openUntil = this.now() + this.options.openMs;
  }
}
