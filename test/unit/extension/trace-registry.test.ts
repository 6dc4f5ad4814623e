import { describe, expect, it, vi } from 'vitest';
import {
  coalesce,
  INTERRUPTED,
  keepTraces,
  SAVED_TRACES_KEY,
  TraceRegistry,
  type RegistryChange,
  type SavedTrace,
  type TraceMemento,
} from '../../../src/extension/trace-registry.js';
import { recordedTrace } from '../../support/recorded.js';
import { rolloutReportEveryMs as rolloutUpdateMs } from '../../../src/core/rollout/pace.js';

/** workspaceState as VS Code keeps it: values survive a "reload" as JSON. */
class Memento implements TraceMemento {
  readonly values = new Map<string, string>();
  writes = 0;
  get(key: string): unknown {
    const v = this.values.get(key);
    return v === undefined ? undefined : JSON.parse(v);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes++;
    this.values.set(key, JSON.stringify(value));
  }
}

describe('trace registry', () => {
  it('lists newest first, finishes once, removes with stop', async () => {
    let t = 1000;
    const r = new TraceRegistry(() => t);
    const changes: RegistryChange[] = [];
    r.onChange((c) => changes.push(c));
    const stop = vi.fn(async () => undefined);
    const a = r.add({ title: 'ns/a', manifest: null, stop });
    t = 2000;
    const b = r.add({ title: 'ns/b', manifest: { uri: 'file:///x.yaml', docIndex: 1 } });
    expect(r.list().map((e) => e.title)).toEqual(['ns/b', 'ns/a']);
    r.update(a.id, recordedTrace('fresh-pull'));
    r.finish(b.id, 'failed');
    r.finish(b.id, 'ready');
    expect(r.get(b.id)?.outcome).toBe('failed');
    expect(r.running().map((e) => e.id)).toEqual([a.id]);
    await r.clearFinished();
    expect(r.list().map((e) => e.id)).toEqual([a.id]);
    await r.remove(a.id);
    expect(stop).toHaveBeenCalledOnce();
    expect(changes.map((c) => c.type)).toEqual(['updated', 'updated', 'updated', 'updated', 'removed', 'removed']);
  });

  it('coalesce: the first value goes out at once, later ones within the window fold into the latest', async () => {
    vi.useFakeTimers();
    try {
      const got: [string, number][] = [];
      const c = coalesce<number>(100, (k, v) => got.push([k, v]));
      c.push('a', 1);
      c.push('b', 7);
      expect(got).toEqual([
        ['a', 1],
        ['b', 7],
      ]);
      c.push('a', 2);
      c.push('a', 3);
      vi.advanceTimersByTime(99);
      expect(got).toHaveLength(2);
      vi.advanceTimersByTime(1);
      expect(got).toEqual([
        ['a', 1],
        ['b', 7],
        ['a', 3],
      ]);
      c.push('a', 4); // still inside the window opened by the trailing call
      c.flush();
      expect(got.at(-1)).toEqual(['a', 4]);
      vi.advanceTimersByTime(500);
      c.push('a', 5); // quiet again: immediate
      expect(got.at(-1)).toEqual(['a', 5]);
      c.push('a', 6);
      c.dispose();
      vi.advanceTimersByTime(500);
      expect(got.at(-1)).toEqual(['a', 5]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('rollout view pacing', () => {
  it('a big rollout’s view is updated less often: each key waits its own window', () => {
    expect([1, 50, 51, 299, 300, 1000].map(rolloutUpdateMs)).toEqual([250, 250, 500, 500, 1000, 1000]);
    vi.useFakeTimers();
    try {
      const got: string[] = [];
      const size: Record<string, number> = { small: 10, big: 300 };
      const c = coalesce<number>(
        (k) => rolloutUpdateMs(size[k] ?? 0),
        (k, v) => got.push(`${k}${v}`),
      );
      c.push('small', 1);
      c.push('big', 1);
      c.push('small', 2);
      c.push('big', 2);
      vi.advanceTimersByTime(250);
      expect(got).toEqual(['small1', 'big1', 'small2']);
      vi.advanceTimersByTime(750);
      expect(got).toEqual(['small1', 'big1', 'small2', 'big2']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('traces kept over a window reload (keepTraces)', () => {
  it('a reloaded window gets its traces back under the same ids; a live one ends as interrupted', async () => {
    const memento = new Memento();
    let t = 1000;
    const before = new TraceRegistry(() => t);
    const kept = keepTraces(before, memento, { traces: 20, bytes: 1e7 }, 10_000);
    const done = before.add({ title: 'ns/done', manifest: { uri: 'file:///p.yaml', docIndex: 0 } });
    before.finish(done.id, 'ready', recordedTrace('image-present'));
    t = 2000;
    const running = before.add({ title: 'ns/running', manifest: null, stop: async () => undefined });
    before.update(running.id, recordedTrace('fresh-pull'));
    await kept.flush();
    kept.dispose();

    const after = new TraceRegistry(() => 5000);
    keepTraces(after, memento).dispose();
    expect(after.list().map((e) => [e.id, e.title, e.live, e.outcome])).toEqual([
      [running.id, 'ns/running', false, INTERRUPTED],
      [done.id, 'ns/done', false, 'ready'],
    ]);
    expect(after.get(done.id)?.manifest).toEqual({ uri: 'file:///p.yaml', docIndex: 0 });
    expect(after.get(done.id)?.trace).toEqual(recordedTrace('image-present'));
    expect(after.running()).toEqual([]);
    // New traces do not take a restored id.
    const fresh = after.add({ title: 'ns/new', manifest: null });
    expect([done.id, running.id]).not.toContain(fresh.id);
  });

  it('keeps the newest traces within the count and size caps', async () => {
    const memento = new Memento();
    let t = 0;
    const r = new TraceRegistry(() => ++t);
    const trace = recordedTrace('image-present');
    const size = JSON.stringify(trace).length;
    const kept = keepTraces(r, memento, { traces: 3, bytes: size * 2.5 }, 10_000);
    const ids = [1, 2, 3, 4].map((i) => {
      const e = r.add({ title: `ns/p${i}`, manifest: null });
      r.finish(e.id, 'ready', trace);
      return e.id;
    });
    await kept.flush();
    kept.dispose();
    const saved = memento.get(SAVED_TRACES_KEY) as SavedTrace[];
    expect(saved.map((s) => s.id)).toEqual([ids[3], ids[2]]);
  });

  it('saves a live trace at most every window, and at once when it ends', async () => {
    vi.useFakeTimers();
    try {
      const memento = new Memento();
      const r = new TraceRegistry(() => 1);
      const kept = keepTraces(r, memento, { traces: 20, bytes: 1e7 }, 2000);
      const e = r.add({ title: 'ns/p', manifest: null });
      const writes = memento.writes;
      for (let i = 0; i < 50; i++) r.update(e.id, recordedTrace('image-present'));
      expect(memento.writes - writes).toBeLessThanOrEqual(1);
      r.finish(e.id, 'ready');
      await vi.runAllTimersAsync();
      const saved = memento.get(SAVED_TRACES_KEY) as SavedTrace[];
      expect(saved[0]?.outcome).toBe('ready');
      kept.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores what it cannot read back (another build, junk) and keeps the rest', () => {
    const memento = new Memento();
    const good: SavedTrace = {
      id: 't9-x',
      title: 'ns/ok',
      manifest: null,
      startedAt: 5,
      outcome: 'failed',
      trace: recordedTrace('missing-image'),
    };
    void memento.update(SAVED_TRACES_KEY, [
      null,
      42,
      { id: '', title: 'x' },
      { ...good, id: 't1', trace: { steps: 'no' } },
      { ...good, id: 't2', manifest: { uri: 3 } },
      { ...good, id: 't3', outcome: 7 },
      good,
    ]);
    const r = new TraceRegistry();
    keepTraces(r, memento).dispose();
    expect(r.list().map((e) => e.id)).toEqual(['t9-x']);
    void memento.update(SAVED_TRACES_KEY, 'not a list');
    const r2 = new TraceRegistry();
    keepTraces(r2, memento).dispose();
    expect(r2.list()).toEqual([]);
  });
});
