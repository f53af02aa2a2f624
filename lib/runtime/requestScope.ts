/**
 * The request a piece of code runs for, carried through its async calls
 * (node:async_hooks AsyncLocalStorage), so that every log line written while
 * serving a request names it, including lines written by libraries through
 * the service's logger (Apollo Server, @apollo/gateway) and by code that is
 * handed no request context (Apollo's `formatError`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestScope {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (and everything it awaits or schedules) as part of request `requestId`. */
export function runInRequestScope<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request the caller runs for, or undefined outside any request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
