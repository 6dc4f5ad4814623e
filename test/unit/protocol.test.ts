import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWebviewMessage, PROTOCOL_VERSION } from '../../src/protocol/webview.js';

describe('webview → host messages are validated', () => {
  it('accepts each well-formed message', () => {
    expect(parseWebviewMessage({ type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: null })).toEqual({
      type: 'webview/ready',
      v: 1,
      lastSeq: null,
    });
    expect(parseWebviewMessage({ type: 'step/reveal', stepId: 'image-pull:app' })).toEqual({
      type: 'step/reveal',
      stepId: 'image-pull:app',
    });
    expect(parseWebviewMessage({ type: 'export/request', format: 'markdown' })).toEqual({
      type: 'export/request',
      format: 'markdown',
    });
    expect(parseWebviewMessage({ type: 'export/svg', svg: '<svg></svg>' })).toEqual({
      type: 'export/svg',
      svg: '<svg></svg>',
    });
    expect(parseWebviewMessage({ type: 'render/done', seq: 3, ms: 120.5, arrows: 14 })).toEqual({
      type: 'render/done',
      seq: 3,
      ms: 120.5,
      arrows: 14,
    });
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
      expect(parseWebviewMessage(bad)).toBeNull();
    }
    expect(parseWebviewMessage({ type: 'step/reveal', stepId: 'a', command: 'rm -rf' })).toEqual({
      type: 'step/reveal',
      stepId: 'a',
    });
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        parseWebviewMessage(x);
      }),
      { numRuns: 1000 },
    );
  });
});
