// parseDiagramToHost, parseTimelineToHost and parseRolloutToHost (src/protocol/diagram.ts, timeline.ts,
// rollout.ts) are the host's only gates for what a webview sends: 10,000 junk and near-miss objects,
// each through all three. Properties:
// neither throws; each returns null or a well-formed message of its own view with exactly the
// declared fields (a fresh object, no extra keys, no prototype tricks); unknown types give null; and
// a well-formed message with extra junk fields is still accepted by its view, junk dropped.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDiagramToHost, type DiagramToHost } from '../../src/protocol/diagram.js';
import { parseRolloutToHost, type RolloutToHost } from '../../src/protocol/rollout.js';
import { parseTimelineToHost, type TimelineToHost } from '../../src/protocol/timeline.js';
import { CORPUS, Stats } from './helpers.js';

const stats = new Stats('webview-messages.test.ts');

const TYPES = [
  'webview/ready',
  'step/reveal',
  'export/request',
  'export/svg',
  'render/done',
  'trace/restore',
  'trace/focus',
  'rollout/focus',
  'rollout/openPod',
  'rollout/export',
] as const;
/** What each view's host accepts: its own messages and the shared ready handshake, nothing of the other view. */
const VIEW_TYPES = {
  diagram: ['webview/ready', 'step/reveal', 'export/request', 'export/svg', 'render/done', 'trace/restore'],
  timeline: ['webview/ready', 'trace/focus', 'rollout/focus'],
  rollout: ['webview/ready', 'rollout/openPod', 'rollout/export'],
} as const satisfies Record<string, readonly (typeof TYPES)[number][]>;
const PARSERS = { diagram: parseDiagramToHost, timeline: parseTimelineToHost, rollout: parseRolloutToHost } as const;

type WebviewMessage = DiagramToHost | TimelineToHost | RolloutToHost;

const FIELDS: Record<(typeof TYPES)[number], readonly string[]> = {
  'webview/ready': ['type', 'v', 'lastSeq'],
  'step/reveal': ['type', 'stepId'],
  'export/request': ['type', 'format'],
  'export/svg': ['type', 'svg'],
  'render/done': ['type', 'seq', 'ms', 'arrows'],
  'trace/restore': ['type', 'traceId'],
  'trace/focus': ['type', 'traceId'],
  'rollout/focus': ['type', 'rolloutId'],
  'rollout/openPod': ['type', 'pod'],
  'rollout/export': ['type', 'format'],
};

function ok(cond: boolean, msg: string | (() => string)): void {
  if (!cond) throw new Error(typeof msg === 'function' ? msg() : msg);
}

/** What "well-formed" means for each message, stricter than the types where the host relies on it. */
function checkMessage(input: unknown, m: WebviewMessage | null): void {
  if (m === null) return;
  ok(m !== input, 'a fresh object, never the input itself');
  ok(Object.getPrototypeOf(m) === Object.prototype, 'a plain object');
  ok((TYPES as readonly string[]).includes(m.type), `known type ${String(m.type)}`);
  const keys = Object.keys(m).sort();
  ok(
    JSON.stringify(keys) === JSON.stringify([...FIELDS[m.type]].sort()),
    () => `exactly the declared fields: ${keys.join(',')}`,
  );
  switch (m.type) {
    case 'webview/ready':
      ok(typeof m.v === 'number' && (m.lastSeq === null || Number.isInteger(m.lastSeq)), 'ready fields');
      break;
    case 'step/reveal':
      ok(typeof m.stepId === 'string' && m.stepId.length > 0 && m.stepId.length <= 512, 'stepId');
      break;
    case 'trace/focus':
    case 'trace/restore':
      ok(typeof m.traceId === 'string' && m.traceId.length > 0 && m.traceId.length <= 512, 'traceId');
      break;
    case 'export/request':
      ok(['mermaid', 'markdown', 'json'].includes(m.format), 'format');
      break;
    case 'rollout/focus':
      ok(typeof m.rolloutId === 'string' && m.rolloutId.length > 0 && m.rolloutId.length <= 512, 'rolloutId');
      break;
    case 'rollout/openPod':
      ok(typeof m.pod === 'string' && m.pod.length > 0 && m.pod.length <= 512, 'pod');
      break;
    case 'rollout/export':
      ok(['markdown', 'csv'].includes(m.format), 'rollout format');
      break;
    case 'export/svg':
      ok(typeof m.svg === 'string' && m.svg.trimStart().startsWith('<svg') && m.svg.length <= 16 * 1024 * 1024, 'svg');
      break;
    case 'render/done':
      ok(typeof m.seq === 'number' && typeof m.arrows === 'number' && Number.isFinite(m.ms), 'render/done');
      break;
  }
  // A parsed message survives the trip through postMessage (JSON) unchanged.
  ok(JSON.stringify(JSON.parse(JSON.stringify(m))) === JSON.stringify(m), 'JSON round trip');
}

/** Both views' gates on one input: what either accepts (each checked), null when neither does. */
function run(x: unknown, group: string): WebviewMessage | null {
  const views = ['diagram', 'timeline', 'rollout'] as const;
  const { value } = stats.time(group, 'x', () => views.map((view) => PARSERS[view](x)));
  let accepted: WebviewMessage | null = null;
  for (const [i, view] of views.entries()) {
    const m = value[i] ?? null;
    checkMessage(x, m);
    if (m === null) continue;
    ok((VIEW_TYPES[view] as readonly string[]).includes(m.type), `${view} accepts no ${m.type}`);
    accepted ??= m;
  }
  return accepted;
}

const junkValue = fc.oneof(
  fc.anything({
    maxDepth: 2,
    withNullPrototype: true,
    withBoxedValues: true,
    withObjectString: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withDate: true,
  }),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    -1,
    1.5,
    2 ** 53,
    '',
    ' <svg',
    '<svg',
    '<SVG>',
    'x'.repeat(513),
    'mermaid ',
    'MARKDOWN',
    '__proto__',
    'constructor',
  ),
);

/** An object with a known (or nearly known) type and fields of any type. */
const nearMiss = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom(...TYPES),
      fc.constantFrom(
        'webview/Ready',
        'step/reveal ',
        'export',
        'toString',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        '',
        'trace/snapshot',
        'rpc/request',
      ),
    ),
    v: junkValue,
    lastSeq: junkValue,
    stepId: junkValue,
    format: junkValue,
    svg: junkValue,
    seq: junkValue,
    ms: junkValue,
    arrows: junkValue,
    traceId: junkValue,
    extra: junkValue,
  },
  { requiredKeys: ['type'] },
);

describe('the webview → host gates on 10,000 junk objects', () => {
  it('arbitrary values (4,000): never throws, only well-formed messages', () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 3,
          withNullPrototype: true,
          withBoxedValues: true,
          withObjectString: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withBigInt: true,
          withDate: true,
        }),
        (x) => void run(x, 'anything'),
      ),
      { numRuns: 4000 },
    );
  });

  it('near misses of every message type (4,000)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearMiss, (x) => {
        if (run(x, 'near misses') !== null) accepted++;
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(0); // the generator does reach the accepting branches
  });

  it('unknown types (1,000) are null, whatever else the object holds', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((t) => !(TYPES as readonly string[]).includes(t)),
        nearMiss,
        (type, rest) => {
          expect(run({ ...rest, type }, 'unknown types')).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('valid messages with junk fields added (1,000) are accepted with the junk dropped', () => {
    const valid = fc.oneof(
      fc.record({
        type: fc.constant('webview/ready'),
        v: fc.integer(),
        lastSeq: fc.oneof(fc.constant(null), fc.integer()),
      }),
      fc.record({ type: fc.constant('step/reveal'), stepId: fc.string({ minLength: 1, maxLength: 512 }) }),
      fc.record({ type: fc.constant('trace/focus'), traceId: fc.string({ minLength: 1, maxLength: 512 }) }),
      fc.record({ type: fc.constant('export/request'), format: fc.constantFrom('mermaid', 'markdown', 'json') }),
      fc.record({ type: fc.constant('export/svg'), svg: fc.string({ maxLength: 100 }).map((s) => `<svg>${s}</svg>`) }),
      fc.record({
        type: fc.constant('render/done'),
        seq: fc.integer(),
        ms: fc.double({ noNaN: true, noDefaultInfinity: true }),
        arrows: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(valid, fc.dictionary(fc.string({ maxLength: 8 }), junkValue, { maxKeys: 4 }), (m, junk) => {
        const input: Record<string, unknown> = { ...junk };
        for (const [k, v] of Object.entries(m))
          Object.defineProperty(input, k, { value: v, enumerable: true, writable: true, configurable: true });
        const out = run(input, 'valid + junk');
        expect(out).toEqual(m);
      }),
      { numRuns: 1000 },
    );
  });

  it('the corpus messages (test/reliability/corpus/webview-messages.json)', () => {
    const corpus = JSON.parse(readFileSync(join(CORPUS, 'webview-messages.json'), 'utf8')) as {
      note: string;
      message: unknown;
      accepted: boolean;
    }[];
    for (const c of corpus) expect(run(c.message, 'corpus') !== null, c.note).toBe(c.accepted);
    // A 16 MB + 1 SVG is refused without copying or scanning it all.
    const huge = `<svg>${'x'.repeat(16 * 1024 * 1024)}</svg>`;
    const { value, ms } = stats.time('corpus', '16 MB svg', () =>
      parseDiagramToHost({ type: 'export/svg', svg: huge }),
    );
    expect(value).toBeNull();
    expect(ms).toBeLessThan(100);
  });
});
