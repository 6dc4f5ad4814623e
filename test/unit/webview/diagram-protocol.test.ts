// The diagram protocol's window-reload messages (src/protocol/diagram.ts): the snapshot names its
// trace, and a restored page names it back (trace/restore) before its ready. Validated both ways.

import { describe, expect, it } from 'vitest';
import { parseDiagramToHost, parseHostToDiagram } from '../../../src/protocol/diagram.js';
import { parseTimelineToHost } from '../../../src/protocol/timeline.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/webview.js';
import { recordedTrace } from '../../support/recorded.js';

describe('diagram protocol: naming the trace across a window reload', () => {
  const trace = recordedTrace('image-present');
  const snapshot = { type: 'trace/snapshot', v: PROTOCOL_VERSION, seq: 3, trace, title: 't', live: false };

  it('a snapshot may name its trace; a malformed name drops the message', () => {
    expect(parseHostToDiagram({ ...snapshot, traceId: 't1-abc' })).toEqual({ ...snapshot, traceId: 't1-abc' });
    expect(parseHostToDiagram(snapshot)).toEqual(snapshot);
    for (const traceId of [null, '', 7, 'x'.repeat(513), {}])
      expect(parseHostToDiagram({ ...snapshot, traceId })).toBeNull();
  });

  it('trace/restore carries only a bounded id, and only the diagram host takes it', () => {
    expect(parseDiagramToHost({ type: 'trace/restore', traceId: 't1-abc', html: '<b>' })).toEqual({
      type: 'trace/restore',
      traceId: 't1-abc',
    });
    for (const traceId of [undefined, null, '', 1, 'x'.repeat(513)])
      expect(parseDiagramToHost({ type: 'trace/restore', traceId })).toBeNull();
    expect(parseTimelineToHost({ type: 'trace/restore', traceId: 't1' })).toBeNull();
  });
});
