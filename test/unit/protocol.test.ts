import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceClearNotification, TraceUpdateNotification } from '../../src/protocol/lsp.js';
import { parseDiagramToHost, parseHostToDiagram } from '../../src/protocol/diagram.js';
import { parseHostToTimeline, parseTimelineToHost } from '../../src/protocol/timeline.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';

describe('webview → host messages are validated', () => {
  it('accepts each well-formed message', () => {
    expect(parseDiagramToHost({ type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: null })).toEqual({
      type: 'webview/ready',
      v: 1,
      lastSeq: null,
    });
    expect(parseDiagramToHost({ type: 'step/reveal', stepId: 'image-pull:app' })).toEqual({
      type: 'step/reveal',
      stepId: 'image-pull:app',
    });
    expect(parseDiagramToHost({ type: 'export/request', format: 'markdown' })).toEqual({
      type: 'export/request',
      format: 'markdown',
    });
    expect(parseDiagramToHost({ type: 'export/svg', svg: '<svg></svg>' })).toEqual({
      type: 'export/svg',
      svg: '<svg></svg>',
    });
    expect(parseDiagramToHost({ type: 'render/done', seq: 3, ms: 120.5, arrows: 14 })).toEqual({
      type: 'render/done',
      seq: 3,
      ms: 120.5,
      arrows: 14,
    });
    expect(parseTimelineToHost({ type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: 4 })).toEqual({
      type: 'webview/ready',
      v: 1,
      lastSeq: 4,
    });
    expect(parseTimelineToHost({ type: 'trace/focus', traceId: 't1' })).toEqual({ type: 'trace/focus', traceId: 't1' });
  });

  it('drops unknown, malformed and oversized messages, and copies only known fields', () => {
    for (const bad of [
      null,
      'x',
      [],
      {},
      { type: 'apply', yes: true },
      { type: 'step/reveal' },
      { type: 'step/reveal', stepId: 'x'.repeat(600) },
      { type: 'export/request', format: 'exe' },
      { type: 'export/svg', svg: '<script>' },
      { type: 'webview/ready', v: 1, lastSeq: 1.5 },
      { type: 'render/done', seq: 1, ms: Infinity, arrows: 1 },
    ]) {
      expect(parseDiagramToHost(bad)).toBeNull();
      expect(parseTimelineToHost(bad)).toBeNull();
    }
    expect(parseDiagramToHost({ type: 'step/reveal', stepId: 'a', command: 'rm -rf' })).toEqual({
      type: 'step/reveal',
      stepId: 'a',
    });
    expect(parseTimelineToHost({ type: 'trace/focus', traceId: 'x'.repeat(513) })).toBeNull();
  });

  it("each view's host takes only its own view's messages", () => {
    expect(parseDiagramToHost({ type: 'trace/focus', traceId: 't1' })).toBeNull();
    for (const m of [
      { type: 'step/reveal', stepId: 'a' },
      { type: 'export/request', format: 'json' },
      { type: 'export/svg', svg: '<svg></svg>' },
      { type: 'render/done', seq: 1, ms: 2, arrows: 3 },
    ])
      expect(parseTimelineToHost(m)).toBeNull();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        parseDiagramToHost(x);
        parseTimelineToHost(x);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('host → webview messages are shape-checked by the page', () => {
  const trace = { pod: { name: 'p' }, steps: [], diagnosis: [], containers: [], notes: [] };

  it('the diagram takes snapshots, resets and status lines, and copies only known fields', () => {
    const snapshot = { type: 'trace/snapshot', v: 1, seq: 2, trace, title: 'Pod Birth', live: true };
    expect(parseHostToDiagram({ ...snapshot, html: '<b>' })).toEqual(snapshot);
    expect(parseHostToDiagram({ type: 'trace/reset', seq: 3, reason: 'gone' })).toEqual({
      type: 'trace/reset',
      seq: 3,
      reason: 'gone',
    });
    expect(parseHostToDiagram({ type: 'status/show', seq: 4, level: 'warning', text: 'w' })).toEqual({
      type: 'status/show',
      seq: 4,
      level: 'warning',
      text: 'w',
    });
    for (const bad of [
      { ...snapshot, seq: '2' },
      { ...snapshot, trace: null },
      { type: 'trace/reset', seq: 3 },
      { type: 'status/show', seq: 4, level: 'fatal', text: 'w' },
      { type: 'timeline/update', v: 1, seq: 5, traces: [] },
    ])
      expect(parseHostToDiagram(bad)).toBeNull();
  });

  it('the timeline takes updates (dropping bad and repeated items) and status lines', () => {
    const item = { id: 't1', title: 'ns/p', live: false, outcome: 'ready', trace };
    expect(
      parseHostToTimeline({
        type: 'timeline/update',
        v: 1,
        seq: 1,
        traces: [item, { ...item, title: 'again' }, { ...item, id: '' }, { ...item, id: 't2', trace: {} }],
      }),
    ).toEqual({ type: 'timeline/update', v: 1, seq: 1, traces: [item], rollouts: [] });
    expect(parseHostToTimeline({ type: 'status/show', seq: 2, level: 'info', text: '' })).toEqual({
      type: 'status/show',
      seq: 2,
      level: 'info',
      text: '',
    });
    expect(parseHostToTimeline({ type: 'trace/snapshot', v: 1, seq: 3, trace, title: 't', live: true })).toBeNull();
  });
});

describe('LSP custom messages', () => {
  it('keep their method names (the wire between host and server)', () => {
    expect(TraceUpdateNotification.method).toBe('podBirth/traceUpdate');
    expect(TraceClearNotification.method).toBe('podBirth/traceClear');
  });
});
