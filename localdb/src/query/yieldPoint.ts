// Internal to localdb: lets a long read give the event loop to other connections now and then.

/** How long a read runs before it lets other requests in, in milliseconds. */
export const SLICE_MS = 3;

/** Paused reads, oldest first: one of them resumes per turn of the event loop. */
const paused: Array<() => void> = [];
let resumeScheduled = false;

// Each paused read waits for its own turn of the event loop, so between two slices of
// long reads there is always a poll for I/O: point reads that arrived meanwhile are
// answered before any long read goes on. With one `setImmediate` per paused read, all
// of them would resume in the same check phase, one slice each, and a point read would
// wait behind every running aggregation's slice in turn.
function resumeOldest(): void {
  const resume = paused.shift();
  if (paused.length > 0) setImmediate(resumeOldest);
  else resumeScheduled = false;
  resume?.();
}

/**
 * Measures one command's time slices. A long find or aggregation calls `due()` between
 * small steps and, when its slice is used up, awaits `pause()`: pending socket reads run,
 * so a point read from another connection is answered in between (MongoDB's query
 * yielding). Paused commands resume one per event-loop turn, in the order they paused,
 * so k long reads running at once never hold a point read for more than one slice.
 * Short commands never pause.
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
    await new Promise<void>((resolve) => {
      paused.push(resolve);
      if (!resumeScheduled) {
        resumeScheduled = true;
        setImmediate(resumeOldest);
      }
    });
    this.#sliceStart = performance.now();
  }

  /** Pauses if the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
