// What a window keeps of its rollouts over a reload (src/extension/rollout-keep.ts): the reports of
// recorded rollouts saved into a memento and read back by a new window's registry, finished,
// without their worker; junk in the memento dropped; the byte limit keeping the newest.

import { describe, expect, it } from 'vitest';
import { ROLLOUT_SAVE_BYTES, SAVED_ROLLOUTS_KEY, keepRollouts } from '../../../src/extension/rollout-keep.js';
import { podTraceEntry } from '../../../src/extension/rollout-flow.js';
import { RolloutRegistry, type RolloutEntry } from '../../../src/extension/rollout-registry.js';
import { TraceRegistry, type TraceMemento } from '../../../src/extension/trace-registry.js';
import { recordedTrace } from '../../support/recorded.js';
import { recordedRollout } from '../../support/rollout-recorded.js';

class Memento implements TraceMemento {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  async update(key: string, value: unknown): Promise<void> {
    // What VS Code stores is JSON: a reference kept here would hide a field JSON drops.
    this.values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
  }
}

function addRollout(r: RolloutRegistry, name: string, disposed: string[] = []): RolloutEntry {
  return r.add({
    title: `Deployment pb-rollout/${name}`,
    where: 'context kind-pb',
    manifest: { uri: `file:///w/${name}.yaml`, docIndex: 0 },
    follow: async () => true,
    stop: () => undefined,
    dispose: () => void disposed.push(name),
  });
}

describe('rollouts kept over a window reload', () => {
  it('come back with their reports, finished; a live one says the reload interrupted it', async () => {
    let t = 0;
    const memento = new Memento();
    const before = new RolloutRegistry(() => ++t);
    const keep = keepRollouts(before, memento, ROLLOUT_SAVE_BYTES, 60_000);
    const done = addRollout(before, 'web');
    before.update(done.id, recordedRollout(30, { live: true }));
    before.finish(done.id, recordedRollout(30));
    done.opened.set('web-0', 't7-abc');
    const live = addRollout(before, 'api');
    before.update(live.id, recordedRollout(12, { live: true }));
    await keep.flush();
    keep.dispose();

    const after = new RolloutRegistry(() => 1000);
    const disposed: string[] = [];
    keepRollouts(after, memento, ROLLOUT_SAVE_BYTES, 60_000).dispose();
    const back = after.list();
    expect(back.map((e) => e.id)).toEqual([live.id, done.id]);
    for (const e of back) {
      expect(e.live).toBe(false);
      expect(e.report?.live).toBe(false);
      expect(e.restored).toBe(true);
      expect(e.stop).toBeNull();
      // Nothing to free: the worker ended with the old window.
      e.dispose();
    }
    expect(disposed).toEqual([]);
    const [api, web] = back as [RolloutEntry, RolloutEntry];
    expect(web.report).toEqual(recordedRollout(30));
    expect(web.where).toBe('context kind-pb');
    expect(web.manifest).toEqual({ uri: 'file:///w/web.yaml', docIndex: 0 });
    expect(api.where).toBe('context kind-pb · interrupted by a window reload');
    expect(api.report?.pods).toHaveLength(12);
    // New rollouts do not take a restored id.
    expect(after.get(addRollout(after, 'new').id)?.restored).toBe(false);
    expect(after.list()).toHaveLength(3);
  });

  it('a restored rollout opens the pods opened before (their traces were kept), and says why not others', async () => {
    let t = 0;
    const memento = new Memento();
    const before = new RolloutRegistry(() => ++t);
    const keep = keepRollouts(before, memento, ROLLOUT_SAVE_BYTES, 60_000);
    const e = addRollout(before, 'web');
    before.finish(e.id, recordedRollout(5));
    // The pod's trace entry, as the trace registry puts it back (keepTraces, tested in its own file).
    const traces = new TraceRegistry();
    const opened = traces.restore({
      id: 't3-web0',
      title: 'pb-rollout/web-0',
      manifest: null,
      startedAt: 1,
      outcome: 'ready',
      trace: recordedTrace('deployment-3'),
    });
    e.opened.set('web-0', 't3-web0');
    await keep.flush();

    const after = new RolloutRegistry();
    keepRollouts(after, memento).dispose();
    const back = after.get(e.id);
    expect(back).toBeDefined();
    if (!back) return;
    expect(await podTraceEntry(back, 'web-0', traces)).toBe(opened);
    expect(await podTraceEntry(back, 'web-1', traces)).toMatch(
      /traced before the window reloaded.*Attach to web-1.*trace the rollout again/,
    );
  });

  it('newest first within the byte limit; junk in the memento is dropped', async () => {
    let t = 0;
    const memento = new Memento();
    const r = new RolloutRegistry(() => ++t);
    const keep = keepRollouts(r, memento, ROLLOUT_SAVE_BYTES, 60_000);
    const entries = ['a', 'b', 'c'].map((n) => {
      const e = addRollout(r, n);
      r.finish(e.id, recordedRollout(20));
      return e;
    });
    await keep.flush();
    const saved = memento.get(SAVED_ROLLOUTS_KEY) as unknown[];
    expect(saved).toHaveLength(3);
    const one = JSON.stringify(saved[0]).length;

    // Room for two: the oldest is not kept.
    const small = new Memento();
    const keepSmall = keepRollouts(r, small, one * 2 + 10, 60_000);
    await keepSmall.flush();
    expect((small.get(SAVED_ROLLOUTS_KEY) as { id: string }[]).map((s) => s.id)).toEqual([
      entries[2]!.id,
      entries[1]!.id,
    ]);

    // Another build's junk: not an array, or entries that are not rollouts.
    const junk = new Memento();
    junk.values.set(SAVED_ROLLOUTS_KEY, { not: 'an array' });
    const r1 = new RolloutRegistry();
    keepRollouts(r1, junk).dispose();
    expect(r1.list()).toEqual([]);
    const good = saved[0] as Record<string, unknown>;
    junk.values.set(SAVED_ROLLOUTS_KEY, [
      null,
      { ...good, id: '' },
      { ...good, id: 'x1', report: { workload: 'no' } },
      { ...good, id: 'x2', interrupted: 'yes' },
      { ...good, id: 'x3', opened: [['web-0'], ['web-1', 't1'], 5] },
    ]);
    const r2 = new RolloutRegistry();
    keepRollouts(r2, junk).dispose();
    expect(r2.list().map((e) => e.id)).toEqual(['x3']);
    expect([...(r2.get('x3')?.opened ?? [])]).toEqual([['web-1', 't1']]);
  });
});
