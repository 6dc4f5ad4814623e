// The pure parts behind the trace decorations: the store, message checks, outcome titles, taint parsing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/model.js';
import { TraceUpdateNotification } from '../../src/protocol/lsp.js';
import { taintsIn } from '../../src/server/code-actions.js';
import { mdText } from '../../src/server/markdown.js';
import { outcomeTitle } from '../../src/server/timings.js';
import { TraceStore, parseTraceClear, parseTraceUpdate } from '../../src/server/trace-store.js';
import { recordedTrace } from '../support/recorded.js';
import { harness, until } from './harness.js';

const MEMORY = recordedTrace('unschedulable-memory');

describe('trace store', () => {
  it('shows per document the trace started last, and the previous one after a clear', () => {
    const s = new TraceStore();
    const p = (traceId: string, docIndex = 0, uri = 'file:///a.yaml') => ({
      traceId,
      uri,
      docIndex,
      live: true,
      trace: MEMORY,
    });
    expect(s.update(p('a'))).toEqual(['file:///a.yaml']);
    s.update(p('b'));
    s.update(p('c', 1));
    s.update(p('a')); // an update does not make a trace newer
    expect(s.forUri('file:///a.yaml').map((e) => e.traceId)).toEqual(['b', 'c']);
    expect(s.clear('b')).toEqual(['file:///a.yaml']);
    expect(s.forUri('file:///a.yaml').map((e) => e.traceId)).toEqual(['a', 'c']);
    expect(s.clear('nope')).toEqual([]);
    // Moving a trace to another file changes both files.
    expect(s.update(p('a', 0, 'file:///b.yaml'))).toEqual(['file:///a.yaml', 'file:///b.yaml']);
    expect(s.forUri('file:///b.yaml').map((e) => e.traceId)).toEqual(['a']);
  });

  it('checks the shape of host messages and never throws on garbage', () => {
    expect(
      parseTraceUpdate({ traceId: 't', uri: 'file:///x', docIndex: 0, live: true, trace: MEMORY })?.trace.diagnosis,
    ).toHaveLength(1);
    for (const bad of [
      null,
      {},
      { traceId: '', uri: 'u', docIndex: 0, trace: MEMORY },
      { traceId: 't', uri: 'u', docIndex: -1, trace: MEMORY },
      { traceId: 't', uri: 'u', docIndex: 0.5, trace: MEMORY },
      { traceId: 't', uri: 'u', docIndex: 0, trace: { ...MEMORY, steps: null } },
    ]) {
      expect(parseTraceUpdate(bad)).toBeNull();
    }
    expect(
      parseTraceUpdate({ traceId: 't', uri: 'u', docIndex: 0, trace: { ...MEMORY, steps: [null, 1, ...MEMORY.steps] } })
        ?.trace.steps,
    ).toEqual(MEMORY.steps);
    expect(parseTraceClear({ traceId: 'x' })).toEqual({ traceId: 'x' });
    expect(parseTraceClear({ traceId: 3 })).toBeNull();
    fc.assert(
      fc.property(fc.anything(), (x) => void parseTraceUpdate(x)),
      { numRuns: 500 },
    );
  });

  it('a malformed notification changes nothing and the server keeps working', async () => {
    const h = await harness();
    const uri = 'file:///garbage.yaml';
    await h.open(
      uri,
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: too-big\nspec:\n  containers:\n    - name: main\n      resources:\n        requests:\n          memory: 64Ti\n',
    );
    // By method name: the typed declaration would not let this shape compile.
    await h.client.sendNotification(TraceUpdateNotification.method, { traceId: 'x', uri, docIndex: 0, trace: 'nope' });
    const ds = await h.update('t', uri, MEMORY);
    expect(ds.map((d) => [d.code, d.range.start.line])).toEqual([['pod-birth/insufficient-memory', 9]]);
    await until('refresh', () => h.refreshes.length > 0);
    h.dispose();
  });
});

describe('outcome titles', () => {
  const base: Trace = { ...MEMORY, diagnosis: [] };
  it('say the phase, the cause, and the time where there is one', () => {
    expect(outcomeTitle(MEMORY, true)).toBe('Pending: insufficient memory');
    expect(outcomeTitle(base, true)).toBe('Pending…');
    expect(outcomeTitle(recordedTrace('crash-loop'), false)).toBe('Failed: crash loop');
    expect(outcomeTitle(recordedTrace('fresh-pull'), false)).toMatch(/^Ready in 1\.\d\ds$/);
    expect(outcomeTitle({ ...recordedTrace('fresh-pull'), phase: 'starting' }, true)).toMatch(
      /^Starting… 1\.\d\ds so far$/,
    );
  });
});

describe('taints named by the scheduler', () => {
  it('reads key and value, and refuses anything that is not a taint key or value', () => {
    expect(
      taintsIn(
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {dedicated: gpu}. preemption: …',
      ),
    ).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', value: '' },
      { key: 'dedicated', value: 'gpu' },
    ]);
    expect(taintsIn("0/1 nodes are available: 1 node(s) had taint {a: b}, that the pod didn't tolerate.")).toEqual([
      { key: 'a', value: 'b' },
    ]);
    expect(
      taintsIn(
        '0/1 nodes are available: 1 node(s) had untolerated taint {evil\nkey: x}, 1 node(s) had untolerated taint {k: "v"}.',
      ),
    ).toEqual([]);
    expect(taintsIn('0/1 nodes are available: 1 node(s) had untolerated taint(s).')).toEqual([]);
  });
});

describe('Markdown escaping', () => {
  it('leaves no unescaped ASCII punctuation and no control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (s) => {
        const out = mdText(s, 500);
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/[\u0000-\u001f\u007f]/);
        // Remove escaped pairs; what is left holds no punctuation.
        expect(out.replace(/\\[!-/:-@[-`{-~]/g, '')).not.toMatch(/[!-/:-@[-`{-~]/);
      }),
      { numRuns: 200 },
    );
  });
});
