/**
 * Test support: wait for a condition by polling, with a generous ceiling,
 * instead of sleeping a fixed time (on a loaded 2-core machine a fixed
 * sleep is either too short, and flaky, or too long, and slow).
 */

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** @default 60_000 */
  timeoutMs?: number;
  /** @default 100 */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns true; any other value (a string saying
 * what is still missing, or false) keeps polling. Throws with the last
 * answer after `timeoutMs`.
 */
export async function eventually(
  check: () => Promise<boolean | string> | boolean | string,
  options: EventuallyOptions = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last === true) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `condition not met in time: ${last instanceof Error ? last.message : String(last)}`,
      );
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
