// Replaying an ended trace: its steps appear one by one in time order, drawn in place like a live
// trace's (the page's own view of the trace the host sent; nothing is asked of the host), in at most
// REPLAY_MS whatever the size; the whole trace, with its diagnosis, is shown again at the end or when
// stopped.

import type { Trace } from '../../src/core/model.js';

const REPLAY_MS = 6000;
const STEP_MAX_MS = 400;
const STEP_MIN_MS = 16;

export class Replay {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private trace: Trace | null = null;

  /** `show(trace, done)`: draw this state of the replay; `done` once the whole trace is back. */
  constructor(private readonly show: (trace: Trace, done: boolean) => void) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(trace: Trace): void {
    this.stop();
    const steps = trace.steps.length;
    if (steps < 2) return;
    this.trace = trace;
    const every = Math.max(STEP_MIN_MS, Math.min(STEP_MAX_MS, REPLAY_MS / steps));
    const next = (n: number): void => {
      this.timer = setTimeout(() => {
        if (n >= steps) {
          this.finish();
          return;
        }
        // The diagnosis and the phase belong to the whole story: they come back at the end.
        this.show({ ...trace, phase: 'starting', diagnosis: [], steps: trace.steps.slice(0, n) }, false);
        next(n + 1);
      }, every);
    };
    this.show({ ...trace, phase: 'starting', diagnosis: [], steps: trace.steps.slice(0, 1) }, false);
    next(2);
  }

  /** Stops and shows the whole trace again. */
  stop(): void {
    if (this.timer === undefined) return;
    this.finish();
  }

  private finish(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const t = this.trace;
    this.trace = null;
    if (t) this.show(t, true);
  }
}
