import { describe, expect, it, vi } from 'vitest';
import { coalesce, TraceRegistry, type RegistryChange } from '../../../src/extension/trace-registry.js';
import { recordedTrace } from '../../support/recorded.js';

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
