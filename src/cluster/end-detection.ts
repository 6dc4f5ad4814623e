// When a live trace ends, and with which outcome. Rule:
//   - Ready (or Succeeded) must hold `readySettleMs` (3 s) with no break and no container exit or
//     restart from when it was seen: a container
//     without a readiness probe is Ready the moment it runs, even if it exits right after. 1.5 s was
//     too short on Kubernetes 1.37: a container exiting at once was still reported Ready 1.5 s later
//     (the runtime matrix saw crash loops end as 'ready'), as the kubelet notices an exit only at its
//     next relist and status update.
//   - Failed must still hold `failureGraceMs` (8 s) after it was first seen, so the back-off and the
//     last log lines are collected; a pod that recovers in that time goes on.
//   - The timeout ends the trace whatever its phase.
//   - Nothing ends while an initial load (event lists, node facts, the first log read) is out: attaching
//     to an already-Ready pod would otherwise end with the pod status only. When the last one lands,
//     `settled` asks the session to look at the trace again.
// Deletion and cluster errors end a trace elsewhere (the session); `stop` ends the detector with it.

import type { TracePhase } from '../core/model.js';

/** How long Ready must hold before a trace ends as ready (see the rule above). */
export const READY_SETTLE_MS = 3000;

export type EndOutcome = 'ready' | 'succeeded' | 'failed' | 'timeout';

export interface EndOptions {
  readonly readySettleMs?: number;
  readonly failureGraceMs?: number;
  readonly timeoutMs?: number;
  /** The trace's phase now: read again when a wait is over. */
  readonly phase: () => TracePhase;
  readonly end: (outcome: EndOutcome) => void;
  /** The last initial load landed. */
  readonly settled: () => void;
}

export class EndDetector {
  private readonly loading = new Set<Promise<void>>();
  private readyWait: ReturnType<typeof setTimeout> | null = null;
  private readyAttempts = 0;
  private failedWait: ReturnType<typeof setTimeout> | null = null;
  private timeout: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly o: EndOptions) {}

  /** Starts the timeout clock (when the trace starts watching). */
  startClock(): void {
    if (this.o.timeoutMs && !this.stopped) this.timeout = setTimeout(() => this.end('timeout'), this.o.timeoutMs);
  }

  /** An initial load the end waits for; its failure counts as landed. */
  track(p: Promise<void>): void {
    const t = p
      .catch(() => undefined)
      .finally(() => {
        this.loading.delete(t);
        if (this.loading.size === 0 && !this.stopped) this.o.settled();
      });
    this.loading.add(t);
  }

  /**
   * Looks at the trace's phase: starts the Ready or Failed wait when it is due. `attempts` counts the
   * containers' starts and exits seen so far: one more during the Ready wait starts it again.
   */
  check(phase: TracePhase, attempts = 0): void {
    if (this.stopped || this.loading.size > 0) return;
    const ready = phase === 'ready' || phase === 'succeeded';
    if (this.readyWait !== null && (!ready || attempts !== this.readyAttempts)) {
      // Ready must hold the whole wait with no container exiting or restarting, not only be there at
      // its end: the kubelet restarts a crashed container at once the first time, often without ever
      // publishing Ready=False in between, so a crash loop looks Ready until its first back-off.
      clearTimeout(this.readyWait);
      this.readyWait = null;
    }
    this.readyAttempts = attempts;
    if (phase === 'ready' || phase === 'succeeded') {
      if (this.readyWait !== null) return;
      this.readyWait = setTimeout(() => {
        this.readyWait = null;
        const now = this.o.phase();
        if (now === 'ready' || now === 'succeeded') this.end(now);
        else this.check(now, this.readyAttempts);
      }, this.o.readySettleMs ?? READY_SETTLE_MS);
    } else if (phase === 'failed') {
      if (this.failedWait !== null) return;
      this.failedWait = setTimeout(() => {
        this.failedWait = null;
        const now = this.o.phase();
        if (now === 'failed') this.end('failed');
        else this.check(now, this.readyAttempts);
      }, this.o.failureGraceMs ?? 8000);
    }
  }

  /** The trace ended (here or elsewhere): no wait fires after this. */
  stop(): void {
    this.stopped = true;
    for (const t of [this.readyWait, this.failedWait, this.timeout]) if (t) clearTimeout(t);
    this.readyWait = this.failedWait = this.timeout = null;
  }

  private end(outcome: EndOutcome): void {
    if (this.stopped) return;
    this.stop();
    this.o.end(outcome);
  }
}
