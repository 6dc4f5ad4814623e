// When a live trace ends (src/cluster/end-detection.ts), on fake timers with a phase the test sets:
// Ready must hold 1.5 s, Failed 8 s, the timeout ends whatever the phase, and nothing ends while an
// initial load is out.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EndDetector, READY_SETTLE_MS, type EndOptions, type EndOutcome } from '../../../src/cluster/end-detection.js';
import type { TracePhase } from '../../../src/core/model.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function detector(o: Partial<EndOptions> = {}): {
  d: EndDetector;
  ended: EndOutcome[];
  settled: () => number;
  set: (p: TracePhase) => void;
} {
  let phase: TracePhase = 'pending';
  let settled = 0;
  const ended: EndOutcome[] = [];
  const d = new EndDetector({
    phase: () => phase,
    end: (x) => ended.push(x),
    settled: () => void settled++,
    ...o,
  });
  return { d, ended, settled: () => settled, set: (p) => (phase = p) };
}

describe('end detection', () => {
  it('Ready that holds READY_SETTLE_MS (3 s) ends the trace as ready', () => {
    const t = detector();
    t.set('ready');
    t.d.check('ready');
    vi.advanceTimersByTime(READY_SETTLE_MS - 1);
    expect(t.ended).toEqual([]);
    t.d.check('ready'); // seen again while waiting: still one wait
    vi.advanceTimersByTime(1);
    expect(t.ended).toEqual(['ready']);
  });

  it('Ready that does not hold (the container exited at once) goes on, and ends as failed once that holds', () => {
    const t = detector();
    t.set('ready');
    t.d.check('ready');
    vi.advanceTimersByTime(1000);
    t.set('failed');
    vi.advanceTimersByTime(READY_SETTLE_MS - 1000);
    expect(t.ended).toEqual([]);
    vi.advanceTimersByTime(7999);
    expect(t.ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(t.ended).toEqual(['failed']);
  });

  it('Failed that recovers within the grace goes on; Succeeded ends as succeeded', () => {
    const t = detector({ failureGraceMs: 2000 });
    t.set('failed');
    t.d.check('failed');
    vi.advanceTimersByTime(1000);
    t.set('starting');
    vi.advanceTimersByTime(1000);
    expect(t.ended).toEqual([]);
    t.set('succeeded');
    t.d.check('succeeded');
    vi.advanceTimersByTime(READY_SETTLE_MS);
    expect(t.ended).toEqual(['succeeded']);
  });

  it('Ready must hold without a break: a NotReady blip or a container restart within the wait starts it again', () => {
    const t = detector();
    t.set('ready');
    t.d.check('ready', 1);
    vi.advanceTimersByTime(1000);
    // The kubelet restarted the crashed container at once: still Ready, one start and one exit more.
    t.d.check('ready', 3);
    vi.advanceTimersByTime(READY_SETTLE_MS - 1);
    expect(t.ended).toEqual([]);
    t.set('starting');
    t.d.check('starting', 3); // NotReady for a moment
    t.set('ready');
    t.d.check('ready', 3);
    vi.advanceTimersByTime(READY_SETTLE_MS - 1);
    expect(t.ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(t.ended).toEqual(['ready']);
  });

  it('the timeout ends the trace whatever the phase, and only once', () => {
    const t = detector({ timeoutMs: 5000 });
    t.d.startClock();
    t.set('ready');
    vi.advanceTimersByTime(4000);
    t.d.check('ready'); // the Ready wait would end after the timeout
    vi.advanceTimersByTime(1000);
    expect(t.ended).toEqual(['timeout']);
    vi.advanceTimersByTime(10_000);
    expect(t.ended).toEqual(['timeout']);
  });

  it('nothing ends while an initial load is out; its landing (even failed) asks to look again', async () => {
    const t = detector();
    let land: () => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    t.d.track(new Promise<void>((r) => (land = r)));
    t.d.track(new Promise<void>((_r, j) => (fail = j)));
    t.set('ready');
    t.d.check('ready');
    vi.advanceTimersByTime(5000);
    expect(t.ended).toEqual([]);
    land();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.settled()).toBe(0);
    fail(new Error('events refused'));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.settled()).toBe(1);
    t.d.check('ready');
    vi.advanceTimersByTime(READY_SETTLE_MS);
    expect(t.ended).toEqual(['ready']);
  });

  it('stop (deleted, stopped, a cluster error) cancels every wait', () => {
    const t = detector({ timeoutMs: 3000 });
    t.d.startClock();
    t.set('failed');
    t.d.check('failed');
    t.d.stop();
    t.d.check('failed');
    vi.advanceTimersByTime(20_000);
    expect(t.ended).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
