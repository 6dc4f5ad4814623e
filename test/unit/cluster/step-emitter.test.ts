// The session's coalesced trace updates (src/cluster/step-emitter.ts) on fake timers: the first change
// after a quiet spell goes out on the next tick, a burst folds into one rebuild per 20 ms window, an
// unchanged revision is not rebuilt (unless refreshed), and each update names added and changed steps.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StepEmitter } from '../../../src/cluster/step-emitter.js';
import type { Step, Trace } from '../../../src/core/model.js';
import { recordedTrace } from '../../support/recorded.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

const full = recordedTrace('fresh-pull');
const withSteps = (steps: readonly Step[]): Trace => ({ ...full, steps });

function emitter(): {
  e: StepEmitter;
  builds: () => number;
  updates: { added: string[]; updated: string[] }[];
  set: (t: Trace) => void;
} {
  let revision = 0;
  let builds = 0;
  let current = withSteps([]);
  const updates: { added: string[]; updated: string[] }[] = [];
  const e = new StepEmitter({
    build: () => {
      builds++;
      return current;
    },
    revision: () => revision,
    onTrace: (_t, added, updated) => updates.push({ added: added.map((s) => s.id), updated: updated.map((s) => s.id) }),
  });
  return {
    e,
    builds: () => builds,
    updates,
    set: (t) => {
      current = t;
      revision++;
    },
  };
}

describe('step emitter', () => {
  it('the first change goes out on the next tick; a burst within 20 ms folds into one rebuild', () => {
    const x = emitter();
    x.set(withSteps(full.steps.slice(0, 1)));
    x.e.schedule();
    vi.advanceTimersByTime(0);
    expect(x.updates).toEqual([{ added: [full.steps[0]!.id], updated: [] }]);
    for (let i = 2; i <= 4; i++) {
      x.set(withSteps(full.steps.slice(0, i)));
      x.e.schedule();
    }
    vi.advanceTimersByTime(19);
    expect(x.builds()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(x.builds()).toBe(2);
    expect(x.updates[1]).toEqual({ added: full.steps.slice(1, 4).map((s) => s.id), updated: [] });
  });

  it('a changed step is reported as updated; an unchanged revision is not rebuilt unless refreshed', () => {
    const x = emitter();
    const first = full.steps[0]!;
    x.set(withSteps([first]));
    x.e.schedule();
    vi.advanceTimersByTime(0);
    x.set(withSteps([{ ...first, message: `${first.message} (changed)` }]));
    x.e.schedule();
    vi.advanceTimersByTime(20);
    expect(x.updates[1]).toEqual({ added: [], updated: [first.id] });
    x.e.schedule();
    vi.advanceTimersByTime(20);
    expect(x.builds()).toBe(2);
    x.e.refresh();
    vi.advanceTimersByTime(20);
    expect(x.builds()).toBe(3);
    expect(x.updates[2]).toEqual({ added: [], updated: [] });
  });

  it('flush emits at once and drops the scheduled emit', () => {
    const x = emitter();
    x.set(withSteps(full.steps.slice(0, 2)));
    x.e.schedule();
    x.e.flush();
    expect(x.updates).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(x.updates).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
