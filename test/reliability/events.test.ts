// Hostile and malformed Kubernetes events through normalizeEvent and the whole fold (TraceState,
// buildTrace, traceFromEvidence), on top of the evidence of every recorded real run, then through the
// renderers. Properties: nothing throws; a normalized event is well-formed or null; the trace is
// well-formed; the fold is order independent and idempotent; giant messages stay within a time bound.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/model.js';
import { parseLogText } from '../../src/core/logs/index.js';
import { renderMermaid } from '../../src/core/mermaid/index.js';
import { toContract } from '../../src/core/report/contract.js';
import { renderText } from '../../src/core/report/text.js';
import { instantFromMs } from '../../src/core/time.js';
import {
  TraceState,
  buildTrace,
  eventsFromList,
  normalizeEvent,
  stableStringify,
  traceFromEvidence,
  type Evidence,
  type NormalizedEvent,
} from '../../src/core/trace/index.js';
import { CORPUS, RECORDED, Stats, readJson, shuffled } from './helpers.js';

const stats = new Stats('events.test.ts');

function ok(cond: boolean, msg: string | (() => string)): void {
  if (!cond) throw new Error(typeof msg === 'function' ? msg() : msg);
}

const KEY_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const REF_KEYS = new Set(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'fieldPath']);

function checkEvent(e: NormalizedEvent | null): void {
  if (e === null) return;
  ok(typeof e.uid === 'string' && e.uid.length > 0 && e.uid !== '/', 'uid');
  ok(typeof e.reason === 'string' && e.reason.length > 0, 'reason');
  ok(typeof e.message === 'string' && typeof e.type === 'string' && e.type.length > 0, 'message/type');
  ok(typeof e.component === 'string' && typeof e.resourceVersion === 'string', 'component/rv');
  ok(Number.isInteger(e.count) && e.count >= 1, () => `count ${e.count}`);
  for (const [k, v] of Object.entries(e.regarding))
    ok(REF_KEYS.has(k) && typeof v === 'string', () => `regarding.${k}`);
  for (const t of [e.first, e.last])
    if (t) ok(KEY_RE.test(t.key) && ['s', 'ms', 'us', 'ns'].includes(t.precision), () => `time ${t.key}`);
  if (e.first && e.last) ok(e.last.key >= e.first.key, 'last ≥ first');
  ok(stableStringify(e).length > 0, 'serializable');
}

const PHASES = new Set(['pending', 'scheduled', 'starting', 'ready', 'failed', 'succeeded']);

function checkTrace(t: Trace): void {
  ok(PHASES.has(t.phase), `phase ${t.phase}`);
  ok(new Set(t.steps.map((s) => s.id)).size === t.steps.length, 'step ids unique');
  for (const s of t.steps) {
    ok(typeof s.message === 'string' && Number.isInteger(s.count) && s.count >= 1, () => `step ${s.id}`);
    for (const x of [s.start, s.end]) if (x) ok(KEY_RE.test(x.key), () => `step time ${x.key}`);
  }
  for (const d of t.diagnosis) ok(typeof d.message === 'string' && typeof d.suggestion === 'string', 'diagnosis');
}

/** Each surface that shows a trace, so a hostile event cannot crash the one the user looks at. */
function renderAll(t: Trace): void {
  renderMermaid(t);
  renderText(t);
  JSON.stringify(toContract(t));
}

// ------------------------------------------------------------------------------------------------
// The recorded evidence, built as test/unit/recorded.test.ts builds it.

interface Scenario {
  readonly name: string;
  readonly pod: string;
  readonly evidence: Evidence[];
  readonly events: Record<string, unknown>[];
}

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const name of readdirSync(RECORDED)) {
    const dir = join(RECORDED, name);
    if (!existsSync(join(dir, 'pod-watch.json'))) continue;
    const evidence: Evidence[] = [];
    const events: Record<string, unknown>[] = [];
    const watch = readJson(join(dir, 'pod-watch.json')) as {
      receivedAt: number;
      object: { metadata?: { name?: string } };
    }[];
    const pod = watch.map((w) => w.object.metadata?.name ?? '').find(Boolean) ?? '';
    for (const w of watch)
      if (w.object.metadata?.name === pod)
        evidence.push({ type: 'pod', object: w.object, receivedAt: instantFromMs(w.receivedAt) });
    for (const f of ['events.json', 'events-v1.json']) {
      if (!existsSync(join(dir, f))) continue;
      for (const e of (readJson(join(dir, f)) as { items?: Record<string, unknown>[] }).items ?? []) {
        evidence.push({ type: 'event', object: e });
        events.push(e);
      }
    }
    const year = new Date((readJson(join(dir, 'meta.json')) as { startedAt: string }).startedAt).getUTCFullYear();
    for (const f of ['containerd.log', 'kubelet.log']) {
      const p = join(dir, f);
      if (existsSync(p))
        for (const record of parseLogText(readFileSync(p, 'utf8'), { referenceYear: year }).records)
          evidence.push({ type: 'log', record });
    }
    evidence.push({ type: 'node', name: 'pod-birth-node', runtimeVersion: 'containerd://1.7.27' });
    out.push({ name, pod, evidence, events });
  }
  return out;
}

const SCENARIOS = scenarios();
const ALL_EVENTS = SCENARIOS.flatMap((s) => s.events);

// ------------------------------------------------------------------------------------------------
// Generators: a real event with some fields replaced by values of the wrong type, removed, or giant.

const PATHS: readonly (readonly string[])[] = [
  ['metadata'],
  ['metadata', 'uid'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'resourceVersion'],
  ['involvedObject'],
  ['involvedObject', 'kind'],
  ['involvedObject', 'name'],
  ['involvedObject', 'namespace'],
  ['involvedObject', 'uid'],
  ['involvedObject', 'fieldPath'],
  ['regarding'],
  ['regarding', 'kind'],
  ['regarding', 'name'],
  ['regarding', 'uid'],
  ['regarding', 'fieldPath'],
  ['reason'],
  ['message'],
  ['note'],
  ['type'],
  ['count'],
  ['series'],
  ['series', 'count'],
  ['series', 'lastObservedTime'],
  ['firstTimestamp'],
  ['lastTimestamp'],
  ['eventTime'],
  ['deprecatedFirstTimestamp'],
  ['deprecatedLastTimestamp'],
  ['deprecatedCount'],
  ['deprecatedSource'],
  ['source'],
  ['source', 'component'],
  ['reportingController'],
  ['reportingComponent'],
  ['apiVersion'],
  ['kind'],
  ['__proto__'],
  ['constructor'],
];

const REASONS = [
  'Scheduled',
  'FailedScheduling',
  'Pulling',
  'Pulled',
  'Failed',
  'BackOff',
  'Created',
  'Started',
  'Killing',
  'Unhealthy',
  'FailedMount',
  'FailedCreatePodSandBox',
  'SandboxChanged',
  'toString',
  '__proto__',
  '',
];
const TIMES = [
  '2026-11-23T10:00:44Z',
  '2026-11-23T10:00:44.937911Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '2026-02-30T25:61:61Z',
  '2026-11-23 10:00:44 +0000 UTC',
  '1e9',
  'yesterday',
  '2026-11-23T10:00:44+14:00',
  '2026-11-23T10:00:44.1234567890123Z',
];
const MESSAGE_PIECES = [
  '0/3 nodes are available: ',
  '1 Insufficient memory',
  ', ',
  '2 node(s) had untolerated taint {a: b}',
  '. ',
  'preemption: ',
  'Back-off restarting failed container app',
  'Failed to pull image "x": ',
  'configmap "cfg" not found',
  "couldn't find key k in ConfigMap ns/cfg",
  'MountVolume.SetUp failed for volume "v"',
  ' to pod-birth-node',
  'Error: ',
  'Liveness probe failed: ',
  '%%{init}%%',
  '<script>',
  '\u001b[31m',
  '\n',
  ' ',
  '"',
  '\\',
];

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 1.5, Number.MAX_SAFE_INTEGER, 1e308, -0),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(...REASONS, ...TIMES),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.array(fc.constantFrom(...MESSAGE_PIECES), { maxLength: 30 }).map((p) => p.join('')),
);

const edit = fc.record({ path: fc.constantFrom(...PATHS), value: wrongValue, remove: fc.boolean() });

function applyEdits(
  base: Record<string, unknown>,
  edits: readonly { path: readonly string[]; value: unknown; remove: boolean }[],
): Record<string, unknown> {
  const copy = structuredClone(base);
  for (const e of edits) {
    let o: Record<string, unknown> = copy;
    for (const k of e.path.slice(0, -1)) {
      const next = o[k];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        const fresh: Record<string, unknown> = {};
        Object.defineProperty(o, k, { value: fresh, enumerable: true, writable: true, configurable: true });
        o = fresh;
      } else o = next as Record<string, unknown>;
    }
    const last = e.path[e.path.length - 1] ?? 'x';
    if (e.remove) delete o[last];
    else Object.defineProperty(o, last, { value: e.value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const mutatedEvent = fc
  .tuple(fc.constantFrom(...ALL_EVENTS), fc.array(edit, { minLength: 1, maxLength: 5 }))
  .map(([e, edits]) => applyEdits(e, edits));

// ------------------------------------------------------------------------------------------------

describe('normalizeEvent on 10,000+ malformed events', () => {
  it('mutations of real events (8,000): well-formed or null, never thrown', () => {
    expect(ALL_EVENTS.length).toBeGreaterThan(30);
    fc.assert(
      fc.property(mutatedEvent, (e) => {
        const { value } = stats.time(
          'normalizeEvent',
          () => JSON.stringify(e)?.slice(0, 80) ?? '',
          () => normalizeEvent(e),
        );
        checkEvent(value);
      }),
      { numRuns: 8000 },
    );
  }, 60_000);

  it('arbitrary values and objects (2,000), and lists of them', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true, maxDepth: 3 }),
        (x) => {
          const { value } = stats.time('normalizeEvent', 'anything', () => normalizeEvent(x));
          checkEvent(value);
          for (const e of eventsFromList(x)) checkEvent(e);
          for (const e of eventsFromList({ items: [x, x] })) checkEvent(e);
        },
      ),
      { numRuns: 2000 },
    );
  }, 60_000);
});

describe('the fold with hostile events', () => {
  it('malformed events folded into every recorded run: no crash, order independent, idempotent (400 batches of 25: 10,000 events)', () => {
    fc.assert(
      fc.property(
        fc.nat(SCENARIOS.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 5 })), { minLength: 25, maxLength: 25 }),
        fc.nat(),
        (si, edits, seed) => {
          const sc = SCENARIOS[si] as Scenario;
          // Mutations of this run's own events, so they regard the traced pod and reach the reducers.
          const extra = edits.map(([i, es]) => applyEdits(sc.events[i % sc.events.length] ?? {}, es));
          const evidence: Evidence[] = [
            ...sc.evidence,
            ...extra.map((object): Evidence => ({ type: 'event', object })),
          ];
          stats.tally('events folded (in batches)', extra.length);
          const { value: forward } = stats.time('fold + build (per batch)', `${sc.name} + ${extra.length} events`, () =>
            traceFromEvidence(evidence),
          );
          checkTrace(forward);
          renderAll(forward);
          const key = stableStringify(forward);
          const other = traceFromEvidence(shuffled(evidence, seed));
          ok(stableStringify(other) === key, () => `${sc.name}: a different order gave a different trace`);
          const twice = new TraceState();
          twice.addAll(evidence);
          const revision = twice.revision;
          twice.addAll(shuffled(evidence, seed + 1));
          ok(twice.revision === revision, 'adding the same evidence again changes nothing');
          ok(stableStringify(buildTrace(twice)) === key, `${sc.name}: not idempotent`);
        },
      ),
      { numRuns: 400 },
    );
    expect(stats.count('fold + build (per batch)')).toBe(400);
    expect(stats.count('events folded (in batches)')).toBe(10_000);
  }, 120_000);

  it('giant messages (1 MB) in the events the reducers and diagnosis read', () => {
    const sc = SCENARIOS.find((s) => s.name === 'crash-loop') ?? (SCENARIOS[0] as Scenario);
    const target = sc.events[0] as { involvedObject?: Record<string, unknown>; regarding?: Record<string, unknown> };
    const involved = { ...(target.involvedObject ?? target.regarding ?? {}) };
    const giantOf = (piece: string): string => piece.repeat(Math.ceil(1_000_000 / piece.length));
    const pieces = [...MESSAGE_PIECES, 'volume "', ' to ', 'x', '0/1 nodes are available: 1 '];
    for (const reason of [
      'FailedScheduling',
      'Failed',
      'BackOff',
      'FailedMount',
      'Unhealthy',
      'Scheduled',
      'FailedCreatePodSandBox',
      'Pulling',
    ]) {
      for (const piece of pieces) {
        const ev = {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `giant.${reason}`, namespace: involved.namespace, uid: `giant-${reason}-${piece.length}` },
          involvedObject: { ...involved, fieldPath: 'spec.containers{crash-loop}' },
          reason,
          message: giantOf(piece),
          firstTimestamp: '2026-11-23T10:00:50Z',
          lastTimestamp: '2026-11-23T10:01:50Z',
          count: 3,
          type: 'Warning',
        };
        const { value: t, ms } = stats.time(
          'giant messages (fold + build + render)',
          `${reason} × ${JSON.stringify(piece)}`,
          () => {
            const tr = traceFromEvidence([...sc.evidence, { type: 'event', object: ev }]);
            renderAll(tr);
            return tr;
          },
        );
        checkTrace(t);
        expect(ms, `${reason} with ${JSON.stringify(piece)} × 1 MB: ${ms.toFixed(0)} ms`).toBeLessThan(2000);
      }
    }
  }, 180_000);

  it('the corpus events (test/reliability/corpus/events/hostile-events.json)', () => {
    const corpus = readJson(join(CORPUS, 'events', 'hostile-events.json')) as { note: string; event: unknown }[];
    expect(corpus.length).toBeGreaterThan(10);
    for (const sc of SCENARIOS) {
      for (const c of corpus) checkEvent(normalizeEvent(c.event));
      const evidence: Evidence[] = [
        ...sc.evidence,
        ...corpus.map((c): Evidence => ({ type: 'event', object: c.event })),
      ];
      const t = stats.time('corpus', sc.name, () => traceFromEvidence(evidence)).value;
      checkTrace(t);
      renderAll(t);
      expect(stableStringify(traceFromEvidence([...evidence].reverse()))).toBe(stableStringify(t));
    }
  }, 60_000);
});

describe('malformed pod objects', () => {
  // Found by this suite: a pod object with wrongly typed fields crashed buildTrace. Such pods reach it
  // from a trace file (`pod-birth explain --trace`, "Open Trace File") or `explain --pod pod.json`;
  // src/core/trace/sanitize.ts now drops the wrongly typed fields when a pod enters the fold.
  it('buildTrace survives the corpus pods (test/reliability/corpus/pods/malformed-pods.json)', () => {
    const pods = readJson(join(CORPUS, 'pods', 'malformed-pods.json')) as {
      path: string;
      value: unknown;
      pod: Record<string, unknown>;
    }[];
    const crashes: string[] = [];
    for (const p of pods) {
      try {
        renderAll(traceFromEvidence([{ type: 'pod', object: p.pod }]));
      } catch (e) {
        crashes.push(`${p.path} = ${JSON.stringify(p.value)}: ${String(e).slice(0, 80)}`);
      }
    }
    expect(crashes).toEqual([]);
  });
});
