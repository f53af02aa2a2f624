// Internal to localdb: lets a long read give the event loop to other connections now and then.

/** How long a read runs before it lets other requests in, in milliseconds. */
export const SLICE_MS = 3;

/**
 * Measures one command's time slices. A long find or aggregation calls `due()` between
 * small steps and, when its slice is used up, awaits `pause()`: pending socket reads run,
 * so a point read from another connection is answered in between (MongoDB's query
 * yielding). Short commands never pause.
 */
export class YieldPoint {
  #sliceStart = performance.now();
  readonly #sliceMs: number;

  constructor(sliceMs: number = SLICE_MS) {
    this.#sliceMs = sliceMs;
  }

  /** True once the current slice is used up. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#sliceMs;
  }

  /** Lets I/O and other connections' commands run, then starts a new slice. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#sliceStart = performance.now();
  }

  /** Pauses if the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
