import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../../src/core/model.js';
import {
  cleanMermaidText,
  decodeMermaidText,
  renderMermaid,
  type RenderedDiagram,
} from '../../../src/core/mermaid/index.js';
import { ACTORS } from '../../../src/core/vocabulary.js';
import {
  CRASH_LOOP,
  HAPPY,
  HOSTILE_STRINGS,
  INIT,
  PENDING,
  PULL_FAILURE,
  at,
  diag,
  hostile,
  step,
  trace,
} from './fixtures.js';
import { parseWithMermaid } from './mermaid-parser.js';

const IDS = ACTORS.map((a) => a.replace(/-/g, '\\-')).join('|');
const LINE_START = new RegExp(
  `^(?:sequenceDiagram$|participant (?:${IDS}) as |(?:${IDS})(?:->>|-->>|-x)(?:${IDS}): |Note over (?:${IDS})(?:,(?:${IDS}))?: )`,
);

/** The structural head of a line: everything up to the text. */
function head(line: string): string {
  const m = /^(participant \S+ as |[^:]*: |sequenceDiagram$)/.exec(line);
  return m ? (m[1] ?? '') : `!!${line}`;
}

function checkStructure(r: RenderedDiagram): void {
  const lines = r.source.split('\n');
  for (const l of lines) {
    expect(l).toMatch(LINE_START);
    expect(l.replace(/#\d{1,7};/g, '')).not.toMatch(/[\r;%#\u2028\u2029]/);
  }
  const arrows = lines.filter(
    (l) => !l.startsWith('Note over ') && !l.startsWith('participant ') && l !== 'sequenceDiagram',
  );
  expect(arrows).toHaveLength(r.messages.length);
  expect(lines.filter((l) => l.startsWith('Note over '))).toHaveLength(r.notes.length);
}

async function checkWithMermaid(r: RenderedDiagram): Promise<void> {
  const parsed = await parseWithMermaid(r.source);
  expect(parsed.diagramType).toBe('sequence');
  expect(parsed.config).toEqual({});
  const lines = r.source.split('\n');
  const participants = lines.filter((l) => l.startsWith('participant ')).map((l) => l.split(' ')[1]);
  expect(parsed.actors.map((a) => a.id)).toEqual(participants);
  const msgs = parsed.signals.filter((s) => !s.isNote);
  const notes = parsed.signals.filter((s) => s.isNote);
  expect(msgs).toHaveLength(r.messages.length);
  expect(notes).toHaveLength(r.notes.length);
  // Every statement's text reaches the renderer exactly as written (codes decoded), nothing cut off.
  const texts = lines
    .filter((l) => l !== 'sequenceDiagram' && !l.startsWith('participant '))
    .map((l) => decodeMermaidText(l.slice(l.indexOf(': ') + 2)));
  expect(parsed.signals.map((s) => s.text)).toEqual(texts);
  const aliases = lines
    .filter((l) => l.startsWith('participant '))
    .map((l) => decodeMermaidText(l.replace(/^participant \S+ as /, '')));
  expect(parsed.actors.map((a) => a.description)).toEqual(aliases);
}

describe('renderMermaid', () => {
  it('declares only the participants it uses, in ACTORS order, with runtime names', () => {
    const r = renderMermaid(PENDING);
    expect(r.source.split('\n').filter((l) => l.startsWith('participant '))).toEqual([
      'participant user as you / kubectl',
      'participant kube-apiserver as kube-apiserver',
      'participant etcd as etcd',
      'participant kube-scheduler as kube-scheduler',
    ]);
    expect(renderMermaid(HAPPY).source).toContain('participant cri-runtime as containerd 1.7.27');
    expect(renderMermaid(INIT).source).toContain('participant cri-runtime as CRI-O 1.31.2');
    const noRuntime = renderMermaid(
      trace({ runtime: null, runtimeVersion: null, steps: [step('image-pull', { container: 'a', t: '00:00' })] }),
    );
    expect(noRuntime.source).toContain('participant cri-runtime as CRI runtime');
    const docker = renderMermaid(
      trace({ runtime: null, runtimeVersion: 'docker://27.3.1', steps: [step('image-pull', { container: 'a' })] }),
    );
    expect(docker.source).toContain('participant cri-runtime as docker 27.3.1');
    expect(renderMermaid(HAPPY).source).toContain(
      'participant oci-runtime as runc\nparticipant container as containers',
    );
  });

  it('one arrow per step with label, container, duration and count; created also persists to etcd', () => {
    const r = renderMermaid(HAPPY);
    const lines = r.source.split('\n');
    expect(lines).toContain('user->>kube-apiserver: create pod web-7d4b9c');
    expect(lines[lines.indexOf('user->>kube-apiserver: create pod web-7d4b9c') + 1]).toBe(
      'kube-apiserver->>etcd: persist',
    );
    expect(lines).toContain('kubelet->>cri-runtime: PullImage app 3.24s');
    expect(lines).toContain('kubelet->>cri-runtime: RunPodSandbox 872ms');
    expect(r.messages.map((m) => m.stepId)).toEqual(['created', 'created', ...HAPPY.steps.slice(1).map((s) => s.id)]);
    expect(r.notes).toEqual([]);
  });

  it('failed steps use the cross arrow and get a note with the message', () => {
    const r = renderMermaid(PULL_FAILURE);
    expect(r.source).toContain(
      'kubelet-xcri-runtime: PullImage failed app\nNote over kubelet: Failed to pull image #34;ngnix#58;1.27#34;',
    );
    expect(r.notes.map((n) => n.stepId)).toEqual(['image-pull-failed:app', 'back-off:app#pull2', 'back-off:app#pull2']);
  });

  it('collapses consecutive identical steps into ×N (sum of counts), unless told not to', () => {
    const r = renderMermaid(PULL_FAILURE);
    expect(r.source).toContain('kubelet-xkubelet: back-off app 20.00s ×5');
    expect(r.messages.filter((m) => m.stepId.startsWith('back-off'))).toEqual([{ stepId: 'back-off:app#pull2' }]);
    const raw = renderMermaid(PULL_FAILURE, { collapseRepeats: false });
    expect(raw.source).toContain('kubelet-xkubelet: back-off app 56.00s ×3');
    expect(raw.messages.filter((m) => m.stepId.startsWith('back-off'))).toHaveLength(2);
    // Same kind, other container: not collapsed.
    const two = renderMermaid(
      trace({ steps: [step('image-present', { container: 'a' }), step('image-present', { container: 'b' })] }),
    );
    expect(two.messages).toHaveLength(2);
  });

  it('crash loop: restarts, back-off ×5 and the diagnosis note over kubelet', () => {
    const r = renderMermaid(CRASH_LOOP);
    expect(r.source).toContain('cri-runtime->>oci-runtime: CreateContainer app (restart 1)');
    expect(r.source).toContain('kubelet-xkubelet: back-off app 2m27s ×5');
    expect(r.source).toMatch(
      /Note over kubelet: crash-loop – app exits with code 1 right after starting → read #96;kubectl logs web #45;#45;previous#96;$/,
    );
  });

  it('scheduling-failed gets one note over kube-scheduler with the scheduler causes; degraded notes go on top', () => {
    const r = renderMermaid(PENDING);
    const lines = r.source.split('\n');
    expect(lines[5]).toMatch(/^Note over user,kube-scheduler: limited view<br\/>Runtime logs unavailable#58; /);
    const i = lines.findIndex((l) => l.startsWith('kube-scheduler-xkube-apiserver: scheduling failed 35.00s ×4'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(
      /^Note over kube-scheduler: insufficient-memory \(2 nodes\) – .*<br\/>untolerated-taint \(1 node\) – /,
    );
    expect(r.notes).toEqual([{ stepId: null }, { stepId: 'scheduling-failed' }]);
  });

  it('places diagnosis notes: scheduler causes without a step and other causes at the end', () => {
    const r = renderMermaid(
      trace({
        steps: [step('created')],
        diagnosis: [diag('unbound-pvc'), diag('missing-config', { container: 'x' }), diag('admission-denied')],
      }),
    );
    const notes = r.source.split('\n').filter((l) => l.startsWith('Note'));
    expect(notes).toEqual([
      'Note over kube-apiserver: admission-denied – admission-denied message → fix admission-denied',
      'Note over kube-scheduler: unbound-pvc – unbound-pvc message → fix unbound-pvc',
      'Note over kubelet: missing-config – missing-config message → fix missing-config',
    ]);
    expect(r.notes).toEqual([{ stepId: 'created' }, { stepId: null }, { stepId: null }]);
  });

  it('in-progress steps: dotted arrow, `…`, elapsed time with `now`', () => {
    expect(renderMermaid(INIT).source).toContain('kubelet-->>cri-runtime: PullImage sidecar …');
    expect(renderMermaid(INIT, { now: at('00:12.5') }).source).toContain(
      'kubelet-->>cri-runtime: PullImage sidecar 2.50s…',
    );
  });

  it('keeps the last maxSteps arrows and summarises the older ones in one note', () => {
    const steps = Array.from({ length: 20 }, (_, i) =>
      step('probe-failed', { id: `p${i}`, container: `c${i}`, t: `00:${String(i).padStart(2, '0')}` }),
    );
    const r = renderMermaid(trace({ steps }), { maxSteps: 5 });
    expect(r.messages.map((m) => m.stepId)).toEqual(['p15', 'p16', 'p17', 'p18', 'p19']);
    expect(r.source).toContain('Note over kubelet,container: 15 earlier steps not shown (probe failed … probe failed)');
    expect(r.notes[0]).toEqual({ stepId: null });
    expect(renderMermaid(trace({ steps })).messages).toHaveLength(20);
  });

  it('folds the steps of chosen containers into one summary arrow', () => {
    const r = renderMermaid(CRASH_LOOP, { foldContainers: ['app'] });
    const lines = r.source.split('\n');
    expect(lines.filter((l) => l.includes(' app'))).toEqual([
      'kubelet-xcontainer: app · 8 steps · back-off failed · 2m39s',
      'Note over kubelet: Back-off restarting failed container app in pod web_default(u-1)',
      'Note over kubelet: crash-loop – app exits with code 1 right after starting → read #96;kubectl logs web #45;#45;previous#96;',
    ]);
    expect(r.messages.at(-1)).toEqual({ stepId: 'back-off:app' });
  });

  it('is stable and never throws on odd input', () => {
    expect(renderMermaid(CRASH_LOOP).source).toBe(renderMermaid(CRASH_LOOP).source);
    const empty = renderMermaid(trace({ steps: [] }));
    expect(empty.source).toBe('sequenceDiagram\nparticipant kube-apiserver as kube-apiserver');
    const odd = {
      ...HAPPY,
      steps: [{ ...step('created'), kind: 'bogus', from: 'nobody', to: 'nobody', count: Number.NaN }],
    } as unknown as Trace;
    expect(() => renderMermaid(odd, { maxSteps: Number.NaN })).not.toThrow();
    const garbage = { steps: [{ kind: 'created', start: 'x', end: 5, status: 'done' }, null] } as unknown as Trace;
    const g = renderMermaid(garbage);
    expect(g.source.startsWith('sequenceDiagram\n')).toBe(true);
    expect(g.messages).toEqual([]);
    expect(() => renderMermaid({} as Trace)).not.toThrow();
  });

  describe('hostile text', () => {
    it.each(HOSTILE_STRINGS.map((s) => [s.slice(0, 40), s]))('%j keeps the structure', async (_, s) => {
      const benign = renderMermaid(hostile('benign'));
      const r = renderMermaid(hostile(s));
      checkStructure(r);
      expect(r.source.split('\n').map(head)).toEqual(benign.source.split('\n').map(head));
      expect(r.messages).toHaveLength(benign.messages.length);
      expect(r.notes).toHaveLength(benign.notes.length);
      await checkWithMermaid(r);
    });

    it('shows the hostile text literally, as text', async () => {
      const s = '<script>alert(1)</script>; click kubelet call evil() # Note over kubelet: x ->> end';
      const r = renderMermaid(
        trace({ steps: [step('container-failed', { container: 'c', status: 'failed', message: s })] }),
      );
      const parsed = await parseWithMermaid(r.source);
      expect(parsed.signals.find((x) => x.isNote)?.text).toBe(s);
      expect(r.source).not.toContain('<script');
    });

    it('property: arbitrary strings in every text slot never change lines, statements or participants', async () => {
      const slot = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.string({
          unit: fc.constantFrom(...';#%:<>&"\'{}|`\\=$+-/()x\n\r \u2028ﬂ°¶ßendNote'.split('')),
          maxLength: 40,
        }),
        fc.constantFrom(...HOSTILE_STRINGS),
      );
      const slots = fc.record({
        pod: slot,
        version: slot,
        c1: slot,
        c2: slot,
        m1: slot,
        m2: slot,
        m3: slot,
        m4: slot,
        d1: slot,
        d2: slot,
        n1: slot,
        n2: slot,
      });
      const build = (x: Record<string, string>): Trace =>
        trace({
          pod: { namespace: x.pod ?? '', name: x.pod ?? '', uid: null, node: null },
          runtimeVersion: x.version ?? '',
          steps: [
            step('created', { t: '00:00', message: x.m1 }),
            step('scheduling-failed', { t: '00:00', status: 'failed', message: x.m2, count: 3 }),
            step('scheduled', { t: '00:01' }),
            step('image-pull', { container: x.c1, t: '00:01', t2: '00:02', message: x.m3 }),
            step('image-pull-failed', { container: x.c2, t: '00:02', status: 'failed', message: x.m4 }),
            step('container-failed', { container: x.c1, init: true, t: '00:03', status: 'failed', message: x.m1 }),
            step('back-off', { container: x.c2, t: '00:04', count: 5, status: 'failed', message: x.m2 }),
            step('probe-failed', { container: x.c1, t: '00:05', status: 'in-progress', end: null }),
          ],
          diagnosis: [
            diag('insufficient-cpu', { message: x.d1, suggestion: x.d2, nodes: 2 }),
            diag('crash-loop', { container: null, message: x.d2, suggestion: x.d1 }),
            diag('sandbox-failed', { message: x.d1, suggestion: x.d2 }),
          ],
          notes: [
            { kind: 'degraded', message: x.n1 ?? '', remedy: x.n2 ?? '' },
            { kind: 'degraded', message: x.n2 ?? '' },
            { kind: 'events-expired', message: x.n1 ?? '' },
          ],
        });
      const opts = { collapseRepeats: false } as const;
      const benign = renderMermaid(
        build(
          Object.fromEntries(
            ['pod', 'version', 'c1', 'c2', 'm1', 'm2', 'm3', 'm4', 'd1', 'd2', 'n1', 'n2'].map((k) => [k, 'ok']),
          ),
        ),
        opts,
      );
      const benignHeads = benign.source.split('\n').map(head);
      let parsedRuns = 0;
      await fc.assert(
        fc.asyncProperty(slots, async (x) => {
          const r = renderMermaid(build(x), opts);
          checkStructure(r);
          expect(r.source.split('\n').map(head)).toEqual(benignHeads);
          expect(r.messages).toHaveLength(benign.messages.length);
          expect(r.notes).toHaveLength(benign.notes.length);
          // The real parser on a share of the runs (it is the slow part).
          if (parsedRuns < 80) {
            parsedRuns += 1;
            await checkWithMermaid(r);
          }
          // The visible label is the cleaned input.
          const prefix = 'user->>kube-apiserver: ';
          const created = r.source.split('\n').find((l) => l.startsWith(prefix)) ?? '';
          expect(decodeMermaidText(created.slice(prefix.length))).toBe(
            cleanMermaidText(`create pod ${cleanMermaidText(x.pod, 63)}`, 200),
          );
        }),
        { numRuns: 400 },
      );
    }, 60_000);
  });

  it('fixtures parse with Mermaid and map one stepId per parsed arrow', async () => {
    for (const t of [PENDING, HAPPY, INIT, CRASH_LOOP, PULL_FAILURE]) {
      const r = renderMermaid(t);
      checkStructure(r);
      await checkWithMermaid(r);
    }
    await checkWithMermaid(renderMermaid(CRASH_LOOP, { foldContainers: ['app'], maxSteps: 3 }));
  });
});
