// One clock for every timestamp the live comparisons subtract: epoch milliseconds with sub-ms
// resolution (performance.timeOrigin + performance.now()), in this process, in the kubectl stamper
// process and in the Chromium page. Other clocks are brought onto this one by an offset measured
// with round trips (the sample with the shortest round trip: its midpoint error is at most RTT/2).

/** Epoch ms, sub-millisecond: comparable across processes on this machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface ClockOffset {
  /** Add to the other clock's readings to get this process's epochNow(). */
  readonly offsetMs: number;
  /** Round trip of the sample used: the offset is within ±rtt/2. */
  readonly rttMs: number;
}

/** Offset of another clock, from `samples` round trips of `read` (which returns the other clock's now). */
export async function measureOffset(read: () => Promise<number>, samples = 9): Promise<ClockOffset> {
  let best: ClockOffset | null = null;
  for (let i = 0; i < samples; i++) {
    const t0 = epochNow();
    const other = await read();
    const t1 = epochNow();
    const rtt = t1 - t0;
    if (!best || rtt < best.rttMs) best = { offsetMs: (t0 + t1) / 2 - other, rttMs: rtt };
  }
  if (!best) throw new Error('no clock samples');
  return best;
}
