// A trace's updates, coalesced. Rule: evidence arriving in a burst (a relist, a log batch) becomes
// one rebuilt trace at most every 20 ms, and the first change after a quiet spell goes out on the next
// tick (the bench measured +20 ms of latency when it waited for the window). The trace is rebuilt only
// when the evidence changed since the last build (or a refresh asks for it), and each update says
// which steps were added and which changed (compared as stable JSON), so presenters print a step once.

import type { Step, Trace } from '../core/model.js';
import { stableStringify } from '../core/trace/index.js';

export const EMIT_WINDOW_MS = 20;

export interface StepEmitterOptions {
  /** Rebuilds the trace (the session's own `trace()`, so instrumentation of it sees every build). */
  readonly build: () => Trace;
  /** The evidence's revision: unchanged means the last build still holds. */
  readonly revision: () => number;
  /** A rebuilt trace; `added` and `updated` may both be empty (a refresh with nothing new). */
  readonly onTrace: (trace: Trace, added: readonly Step[], updated: readonly Step[]) => void;
  readonly windowMs?: number;
}

export class StepEmitter {
  private lastSteps = new Map<string, string>();
  /** -1: build at the next emit whatever the revision. */
  private lastRevision = -1;
  private lastEmitAt = 0;
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly o: StepEmitterOptions) {}

  /** The evidence changed: emit on the next tick, or at the end of the current window. */
  schedule(): void {
    if (this.pending) return;
    const wait = Math.max(0, (this.o.windowMs ?? EMIT_WINDOW_MS) - (Date.now() - this.lastEmitAt));
    this.pending = setTimeout(() => {
      this.pending = null;
      this.lastEmitAt = Date.now();
      this.emit();
    }, wait);
  }

  /** Look again even if the evidence did not change (an initial load landed: the end may be due now). */
  refresh(): void {
    this.lastRevision = -1;
    this.schedule();
  }

  /** Emits now (a scheduled emit is dropped): the final state of a trace that ended. */
  flush(): void {
    this.cancel();
    this.emit();
  }

  cancel(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }

  private emit(): void {
    const revision = this.o.revision();
    if (revision === this.lastRevision && this.lastRevision !== -1) return;
    this.lastRevision = revision;
    const trace = this.o.build();
    const added: Step[] = [];
    const updated: Step[] = [];
    const next = new Map<string, string>();
    for (const s of trace.steps) {
      const text = stableStringify(s);
      next.set(s.id, text);
      const prev = this.lastSteps.get(s.id);
      if (prev === undefined) added.push(s);
      else if (prev !== text) updated.push(s);
    }
    this.lastSteps = next;
    this.o.onTrace(trace, added, updated);
  }
}
