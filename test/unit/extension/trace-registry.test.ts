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

  it('coalesce delivers only the latest value per key, and flush delivers at once', async () => {
    vi.useFakeTimers();
    try {
      const got: [string, number][] = [];
      const c = coalesce<number>(100, (k, v) => got.push([k, v]));
      c.push('a', 1);
      c.push('a', 2);
      c.push('b', 7);
      vi.advanceTimersByTime(99);
      expect(got).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(got).toEqual([['a', 2], ['b', 7]]);
      c.push('a', 3);
      c.flush();
      expect(got).toEqual([['a', 2], ['b', 7], ['a', 3]]);
      c.push('a', 4);
      c.dispose();
      vi.advanceTimersByTime(500);
      expect(got).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
