// Text crafted to break out of every surface a trace is shown on: event messages, pod, namespace,
// container and image names, runtime versions, notes, runtime errors. Traces are built both through the
// real fold (pod objects, events, log records, node facts) and directly. Checked:
//  - Mermaid: the source keeps its strict line grammar, and Mermaid 12's own parser (as in the webview)
//    sees no directive/config, exactly the declared participants, and as many messages and notes as
//    the renderer reported (one arrow per step when nothing is collapsed);
//  - the Markdown export (`# Pod birth: TITLE` + a ```mermaid fence): the diagram cannot close the fence;
//  - renderText / stepLine (CLI, output channel) and the JSON contract: no terminal control (ESC, CSI,
//    OSC, C1, bidi overrides) reaches a terminal.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/core/k8s-types.js';
import type { CriRecord, Step, Trace } from '../../src/core/model.js';
import {
  cleanMermaidText,
  decodeMermaidText,
  escapeMermaidText,
  renderMermaid,
  type RenderedDiagram,
} from '../../src/core/mermaid/index.js';
import { stringifyContract, toContract } from '../../src/core/report/contract.js';
import { renderText, stepLine, terminalSafe } from '../../src/core/report/text.js';
import { parseInstant } from '../../src/core/time.js';
import { traceFromEvidence, type Evidence } from '../../src/core/trace/index.js';
import { ACTORS } from '../../src/core/vocabulary.js';
import { diag, step, trace } from '../unit/mermaid/fixtures.js';
import { parseWithMermaid } from '../unit/mermaid/mermaid-parser.js';
import { CORPUS, Stats, TERMINAL_CONTROL, show } from './helpers.js';

const stats = new Stats('injection.test.ts');

const HOSTILE = JSON.parse(readFileSync(join(CORPUS, 'injection', 'strings.json'), 'utf8')) as string[];

// ------------------------------------------------------------------------------------------------
// Traces carrying the text in every slot.

function at(s: string): CriRecord['time'] {
  const i = parseInstant(`2026-11-23T10:00:${s}Z`);
  if (!i) throw new Error(s);
  return i;
}

/** Evidence whose every free-text field is `s` (or derived from it), as the cluster could send it. */
function hostileEvidence(s: string, t: string = s): Evidence[] {
  const container = s.slice(0, 300) || 'c';
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s,
      namespace: t,
      uid: 'u-1',
      resourceVersion: '10',
      creationTimestamp: '2026-11-23T10:00:00Z',
      ownerReferences: [{ kind: 'ReplicaSet', name: s, uid: 'o-1' }],
    },
    spec: {
      nodeName: t,
      initContainers: [{ name: `${container}-init`, image: s }],
      containers: [{ name: container, image: t }],
    },
    status: {
      phase: 'Pending',
      startTime: '2026-11-23T10:00:01Z',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-23T10:00:01Z', message: s }],
      containerStatuses: [
        {
          name: container,
          image: t,
          ready: false,
          restartCount: 2,
          containerID: 'containerd://abc',
          state: { waiting: { reason: 'CrashLoopBackOff', message: s } },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: s,
              message: t,
              startedAt: '2026-11-23T10:00:05Z',
              finishedAt: '2026-11-23T10:00:06Z',
              containerID: 'containerd://abc',
            },
          },
        },
      ],
    },
  } as Pod;
  const ev = (reason: string, message: string, fieldPath: string | undefined, i: number): Evidence => ({
    type: 'event',
    object: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `e${i}`, namespace: t, uid: `ev-${i}` },
      involvedObject: { kind: 'Pod', name: s, namespace: t, uid: 'u-1', ...(fieldPath ? { fieldPath } : {}) },
      reason,
      message,
      firstTimestamp: `2026-11-23T10:00:0${i % 10}Z`,
      lastTimestamp: `2026-11-23T10:00:1${i % 10}Z`,
      count: 3,
      type: 'Warning',
      source: { component: s },
    },
  });
  const fp = `spec.containers{${container}}`;
  const record = (
    rpc: CriRecord['rpc'],
    phase: CriRecord['phase'],
    sec: string,
    extra: Partial<CriRecord>,
  ): Evidence => ({
    type: 'log',
    record: {
      type: 'cri',
      runtime: 'containerd',
      time: at(sec),
      rpc,
      phase,
      raw: `${rpc} ${phase} ${s}`,
      ...extra,
    } as CriRecord,
  });
  return [
    { type: 'pod', object: pod },
    ev('FailedScheduling', `0/3 nodes are available: 1 ${s}, 2 Insufficient memory. preemption: ${t}`, undefined, 0),
    ev('Scheduled', `Successfully assigned ${t}/${s} to ${s}`, undefined, 1),
    ev('Pulling', `Pulling image "${s}"`, fp, 2),
    ev('Failed', s, fp, 3),
    ev('BackOff', `Back-off restarting failed container ${s}`, fp, 4),
    ev('Unhealthy', `Liveness probe failed: ${s}`, fp, 5),
    ev('FailedMount', `MountVolume.SetUp failed for volume "${s}" : ${t}`, undefined, 6),
    ev('SandboxChanged', s, undefined, 7),
    ev(s || 'x', t, fp, 8),
    record('RunPodSandbox', 'start', '01.1', { sandbox: { name: s, namespace: t, uid: 'u-1' } }),
    record('RunPodSandbox', 'failed', '01.2', { sandbox: { name: s, namespace: t, uid: 'u-1' }, error: s }),
    record('RunPodSandbox', 'start', '01.3', { sandbox: { name: s, namespace: t, uid: 'u-1' } }),
    record('RunPodSandbox', 'end', '01.4', { sandbox: { name: s, namespace: t, uid: 'u-1' }, sandboxId: 'sb-1' }),
    record('CreateContainer', 'failed', '02.0', {
      sandboxId: 'sb-1',
      container: { name: container, attempt: 0 },
      error: t,
    }),
    { type: 'node', name: t, runtimeVersion: `containerd://${s}` },
    { type: 'note', note: { kind: 'degraded', source: 'runtime-log', message: s, remedy: t } },
    { type: 'note', note: { kind: 'clock-skew', message: t } },
  ];
}

/** A hand-built trace with the text everywhere, including where the fold would never put it. */
function directTrace(s: string): Trace {
  return trace({
    pod: { namespace: s, name: s, uid: s, node: s },
    runtime: null,
    runtimeVersion: s,
    phase: 'failed',
    steps: [
      step('created', { t: '00:00', message: s }),
      step('scheduling-failed', { t: '00:00', status: 'failed', message: s, count: 4 }),
      step('scheduled', { t: '00:01', message: s }),
      step('sandbox-failed', { t: '00:01', status: 'failed', message: s }),
      step('image-pull', { container: s, t: '00:02', status: 'in-progress', end: null, message: s }),
      step('image-pull-failed', { container: s, t: '00:02', status: 'failed', message: s }),
      step('container-created', { container: s, init: true, t: '00:03', attempt: 1 }),
      step('container-failed', { container: s, init: true, t: '00:03', status: 'failed', message: s }),
      step('back-off', { container: s, t: '00:04', count: 5, status: 'failed', message: s }),
      step('probe-failed', { container: s, t: '00:05', status: 'failed', message: s }),
    ],
    diagnosis: [
      diag('insufficient-cpu', { message: s, suggestion: s, nodes: 2 }),
      diag('crash-loop', { container: s, message: s, suggestion: s, evidence: s }),
      diag('missing-config', { container: s, message: s, suggestion: s }),
    ],
    notes: [
      { kind: 'degraded', source: 'runtime-log', message: s, remedy: s },
      { kind: 'clock-skew', message: s },
      { kind: 'info', message: s },
    ],
    containers: [{ name: s, init: false, image: s }],
  });
}

// ------------------------------------------------------------------------------------------------
// Checks

const IDS = ACTORS.map((a) => a.replace(/-/g, '\\-')).join('|');
const LINE = new RegExp(
  `^(?:sequenceDiagram$|participant (?:${IDS}) as |(?:${IDS})(?:->>|-->>|-x)(?:${IDS}): |Note over (?:${IDS})(?:,(?:${IDS}))?: )`,
);

function checkMermaidSource(r: RenderedDiagram, what: string): void {
  const lines = r.source.split('\n');
  for (const l of lines) {
    expect(l, what).toMatch(LINE);
    // Outside the entity codes: no statement separator, comment, directive, CR, line separators,
    // backtick (Markdown fence), angle brackets (HTML) or `$` (KaTeX).
    const text = l.startsWith('participant ') ? l.replace(/^participant \S+ as /, '') : l.slice(l.indexOf(': ') + 2);
    expect(text.replace(/<br\/>/g, ' ').replace(/#\d{1,7};/g, ''), what).not.toMatch(/[\r;%#`<>$\u2028\u2029\u0085]/);
  }
  const arrows = lines.filter(
    (l) => l !== 'sequenceDiagram' && !l.startsWith('participant ') && !l.startsWith('Note over '),
  );
  expect(arrows.length, what).toBe(r.messages.length);
  expect(lines.filter((l) => l.startsWith('Note over ')).length, what).toBe(r.notes.length);
}

async function checkWithMermaid(r: RenderedDiagram, what: string): Promise<void> {
  const parsed = await parseWithMermaid(r.source);
  expect(parsed.diagramType, what).toBe('sequence');
  expect(parsed.config, `${what}: a directive was picked up`).toEqual({});
  const participants = r.source
    .split('\n')
    .filter((l) => l.startsWith('participant '))
    .map((l) => l.split(' ')[1]);
  expect(
    parsed.actors.map((a) => a.id),
    what,
  ).toEqual(participants);
  expect(parsed.signals.filter((x) => !x.isNote).length, what).toBe(r.messages.length);
  expect(parsed.signals.filter((x) => x.isNote).length, what).toBe(r.notes.length);
  // Every label reaches the renderer as written (entity codes decoded), nothing split off.
  const texts = r.source
    .split('\n')
    .filter((l) => l !== 'sequenceDiagram' && !l.startsWith('participant '))
    .map((l) => decodeMermaidText(l.slice(l.indexOf(': ') + 2)));
  expect(
    parsed.signals.map((x) => x.text),
    what,
  ).toEqual(texts);
}

/** The Markdown export as src/extension/diagram-panel.ts builds it (title passed separately). */
function markdownExport(title: string, source: string): string {
  return `# Pod birth: ${title}\n\n\`\`\`mermaid\n${source}\n\`\`\`\n`;
}

/** Lines of a Markdown text that open or close a fenced block (CommonMark: ≥ 3 backticks or tildes, ≤ 3 spaces of indent). */
function fenceLines(md: string): string[] {
  return md.split('\n').filter((l) => /^ {0,3}(`{3,}|~{3,})/.test(l));
}

function checkTerminal(text: string, what: string): void {
  const m = TERMINAL_CONTROL.exec(text);
  expect(
    m
      ? `U+${(m[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')} at ${m.index}: ${show(text.slice(Math.max(0, m.index - 30), m.index + 10))}`
      : null,
    what,
  ).toBeNull();
}

async function checkAll(t: Trace, what: string, mermaid = true): Promise<void> {
  const { value: surfaces } = stats.time('render all surfaces', what, () => ({
    diagram: renderMermaid(t),
    flat: renderMermaid(t, { collapseRepeats: false, maxSteps: 10_000 }),
    text: renderText(t, () => 7),
    lines: t.steps.map(stepLine),
    json: stringifyContract(toContract(t, () => 7)),
    rawJson: JSON.stringify(
      toContract(t, () => 7),
      null,
      2,
    ),
  }));
  checkMermaidSource(surfaces.diagram, what);
  checkMermaidSource(surfaces.flat, what);
  // Nothing collapsed: one arrow per step, plus kube-apiserver → etcd for `created`.
  expect(surfaces.flat.messages.length, what).toBe(t.steps.length + t.steps.filter((s) => s.kind === 'created').length);
  const ids = new Set(t.steps.map((s: Step) => s.id));
  for (const m of surfaces.flat.messages) expect(ids.has(m.stepId), what).toBe(true);
  if (mermaid) {
    // The uncollapsed diagram: one arrow per step, so the parsed count is checked against the trace itself.
    await stats.timeAsync('mermaid 12 parser', what, () => checkWithMermaid(surfaces.flat, what));
  }
  // Markdown: the diagram cannot close (or reopen) the fence around it.
  const md = markdownExport('web', surfaces.diagram.source);
  expect(fenceLines(md), what).toEqual(['```mermaid', '```']);
  expect(surfaces.diagram.source, what).not.toContain('`');
  // Terminals: no ESC/CSI/OSC, C1 or bidi control from cluster text.
  checkTerminal(surfaces.text, `${what} (renderText)`);
  for (const l of surfaces.lines) checkTerminal(l, `${what} (stepLine)`);
  checkTerminal(surfaces.json, `${what} (JSON contract)`);
  expect(JSON.parse(surfaces.json), what).toEqual(JSON.parse(surfaces.rawJson));
}

// ------------------------------------------------------------------------------------------------

const PIECES = HOSTILE.flatMap((h) => (h.length < 200 ? [h] : []));
const hostileText = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom(...'%{}:;#`|<>&"\'\\-x()[]$+=\n\r\u001b\u009b\u009d\u2028\u202e\u0000 ab'.split('')),
    maxLength: 60,
  }),
);

describe('injection through every slot', () => {
  it('the corpus strings, through the real fold and in a hand-built trace', async () => {
    expect(HOSTILE.length).toBeGreaterThan(40);
    for (const s of HOSTILE) {
      const folded = traceFromEvidence(hostileEvidence(s, `${s}-2`));
      expect(folded.steps.length, show(s)).toBeGreaterThan(5);
      await checkAll(folded, `fold: ${show(s, 40)}`);
      await checkAll(directTrace(s), `direct: ${show(s, 40)}`);
    }
  }, 180_000);

  it('generated hostile text (200 traces through the fold, parsed by Mermaid)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (s, t) => {
        await checkAll(traceFromEvidence(hostileEvidence(s, t)), `fold: ${show(s, 30)} / ${show(t, 30)}`);
      }),
      { numRuns: 200 },
    );
  }, 180_000);

  it('generated hostile text (2,000 hand-built traces, grammar, fence and terminal checks)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (s) => {
        await checkAll(directTrace(s), `direct: ${show(s, 40)}`, false);
      }),
      { numRuns: 2000 },
    );
  }, 180_000);

  it('escaping is inert and faithful: decode(escape(s)) is the cleaned text, never structure', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 300 }), (s, max) => {
        const e = escapeMermaidText(s, max);
        expect(e).not.toMatch(/[\n\r%`<>$\u2028\u2029]/);
        expect(e.replace(/#\d{1,7};/g, '')).not.toMatch(/[;#:]/);
        expect(decodeMermaidText(e)).toBe(cleanMermaidText(s, max));
        expect([...cleanMermaidText(s, max)].length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 3000 },
    );
  });

  it('terminalSafe leaves no control character and keeps its length bound', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 2, max: 300 }), (s, max) => {
        const out = terminalSafe(s, max);
        checkTerminal(out, show(s));
        expect(out.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('known gaps outside src/core (reported, not fixed here)', () => {
  it('the Markdown title is not escaped in src/extension/diagram-panel.ts: a pod name can close the heading and the fence', () => {
    // The panel title comes from the trace (`${namespace}/${name}` of a replayed trace file) or the
    // manifest; diagram-panel.ts writes it raw after `# Pod birth: `. The diagram itself is safe (above).
    const md = markdownExport(
      'ns/web\n```\n<script>alert(1)</script>\n```mermaid',
      renderMermaid(directTrace('x')).source,
    );
    expect(fenceLines(md).length).toBeGreaterThan(2); // documents the gap; a fix belongs in diagram-panel.ts
  });

  it('raw JSON.stringify (what src/cli writes for --format json) lets C1 and bidi controls through; stringifyContract escapes them', () => {
    const t = directTrace('\u009b31m \u009d0;x\u0007 \u202eevil');
    const raw = JSON.stringify(toContract(t), null, 2);
    expect(TERMINAL_CONTROL.test(raw)).toBe(true); // U+009B (8-bit CSI) raw on stdout: the CLI should use stringifyContract
    expect(TERMINAL_CONTROL.test(stringifyContract(toContract(t)))).toBe(false);
  });
});
