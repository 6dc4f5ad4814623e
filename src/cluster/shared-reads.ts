// Reads of a growing source (a node's runtime log, its kubelet lines) that many traces share.
//
// A caller asks for a read that reaches back to `sinceMs` and started at or after `startedAfter` (so it
// sees everything logged up to that moment). A read already running, or the last one finished, that
// qualifies is shared; callers that arrive while an older read runs share the one read queued behind
// it. Every read reaches back to the earliest moment any caller asked for, so one read serves all.
// A failed read is never reused: the next caller asks again.

interface Read<T> {
  readonly startedAt: number;
  readonly sinceMs: number;
  readonly result: Promise<T>;
}

export class SharedReads<T> {
  /** The earliest start time any caller asked for. */
  private floorMs = Number.POSITIVE_INFINITY;
  private running: Read<T> | null = null;
  private last: Read<T> | null = null;
  private queued: Promise<T> | null = null;

  constructor(private readonly fetch: (sinceMs: number) => Promise<T>) {}

  read(sinceMs: number, startedAfter: number): Promise<T> {
    this.floorMs = Math.min(this.floorMs, sinceMs);
    const covers = (r: Read<T>): boolean => r.startedAt >= startedAfter && r.sinceMs <= sinceMs;
    const running = this.running;
    const last = this.last;
    if (running === null) return last !== null && covers(last) ? last.result : this.start().result;
    if (covers(running)) return running.result;
    const queued =
      this.queued ??
      running.result
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.start().result;
        });
    this.queued = queued;
    return queued;
  }

  private start(): Read<T> {
    const sinceMs = this.floorMs;
    const read: Read<T> = { startedAt: Date.now(), sinceMs, result: this.fetch(sinceMs) };
    this.running = read;
    const settle = (): void => {
      if (this.running === read) this.running = null;
    };
    read.result.then(
      () => {
        settle();
        this.last = read;
      },
      () => {
        settle();
        if (this.last === read) this.last = null;
      },
    );
    return read;
  }
}
