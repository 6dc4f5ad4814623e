// The wait for a webview page to start (src/extension/page-load-watch.ts): a page that does not say it
// is ready is loaded again with longer waits, then the user is told; hidden, ready or disposed pages
// are left alone. A hand-driven clock, no real timers.

import { describe, expect, it } from 'vitest';
import {
  PAGE_READY_WAITS_MS,
  READY_ANSWERS_LOADING_MS,
  watchPageLoad,
  type PageLoadWatch,
} from '../../../src/extension/page-load-watch.js';

/** A hand-driven clock: timers fire only when the test advances it. */
function harness(opts: { visible?: boolean } = {}) {
  let clock = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const events: string[] = [];
  let visible = opts.visible ?? true;
  const watch: PageLoadWatch = watchPageLoad({
    reload: () => events.push(`reload@${clock}`),
    visible: () => visible,
    gaveUp: () => events.push(`gaveUp@${clock}`),
    retried: (attempt, waited) => events.push(`retry${attempt}/${waited}`),
    now: () => clock,
    setTimer: (fn, ms) => {
      const id = ++nextId;
      timers.set(id, { at: clock + ms, fn });
      return id;
    },
    clearTimer: (t) => timers.delete(t as number),
  });
  const advance = (ms: number): void => {
    const end = clock + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      clock = due[1].at;
      due[1].fn();
    }
    clock = end;
  };
  return {
    watch,
    events,
    advance,
    pending: () => timers.size,
    setVisible: (v: boolean) => (visible = v),
  };
}

describe('watchPageLoad', () => {
  it('a page that says it is ready in time is never loaded again', () => {
    const h = harness();
    h.watch.loading();
    h.advance(PAGE_READY_WAITS_MS[0]! - 1);
    h.watch.ready();
    h.advance(60_000);
    expect(h.events).toEqual([]);
    expect(h.pending()).toBe(0);
  });

  it('a page that never starts is loaded again after 5, 10 and 20 s, then the user is told', () => {
    const h = harness();
    h.watch.loading();
    h.advance(120_000);
    expect(h.events).toEqual([
      'retry1/5000',
      'reload@5000',
      'retry2/10000',
      'reload@15000',
      'retry3/20000',
      'reload@35000',
      'gaveUp@55000',
    ]);
    expect(h.pending()).toBe(0);
  });

  it('a reloaded page that starts stops the retries, and a later failure starts from the first wait', () => {
    const h = harness();
    h.watch.loading();
    h.advance(5_000);
    expect(h.events).toEqual(['retry1/5000', 'reload@5000']);
    h.advance(2_000);
    h.watch.ready();
    h.advance(60_000);
    expect(h.events).toHaveLength(2);
    h.watch.loading();
    h.advance(5_000);
    expect(h.events.slice(2)).toEqual(['retry1/5000', 'reload@72000']);
  });

  it('a hidden view is not reloaded: VS Code loads it again when it is shown', () => {
    const h = harness();
    h.watch.loading();
    h.setVisible(false);
    h.advance(60_000);
    expect(h.events).toEqual([]);
    expect(h.pending()).toBe(0);
    h.setVisible(true);
    h.watch.loading();
    h.advance(5_000);
    expect(h.events).toEqual(['retry1/5000', 'reload@65000']);
  });

  it('a ready heard just before the view said it is shown answers that loading()', () => {
    const h = harness();
    h.watch.loading();
    h.watch.ready();
    h.advance(READY_ANSWERS_LOADING_MS - 1);
    h.watch.loading();
    expect(h.pending()).toBe(0);
    h.advance(1);
    h.watch.loading();
    expect(h.pending()).toBe(1);
  });

  it('dispose stops every wait and later loading() calls', () => {
    const h = harness();
    h.watch.loading();
    h.watch.dispose();
    h.watch.loading();
    h.advance(120_000);
    expect(h.events).toEqual([]);
    expect(h.pending()).toBe(0);
  });
});
