// Replays real runs recorded from the local cluster (test/fixtures/recorded/<scenario>/, written by
// test/cluster/record-fixtures.test.ts) through the engine and the CLI. Every recorded scenario must
// have expectations here, so a new recording cannot go untested.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseLogText } from '../../src/core/logs/index.js';
import { stableStringify } from '../../src/core/trace/index.js';
import { RECORDED_ROOT, evidenceOf, recordedScenarios, traceFor } from '../support/recorded.js';
import { diffMs } from '../../src/core/time.js';
import { FAILURE_EXPECT, type Expectation } from './recorded-failures.js';

const EXPECT: Record<string, Expectation> = {
  ...FAILURE_EXPECT,
  'fresh-pull': {
    phase: 'ready',
    kinds: [
      'created',
      'scheduled',
      'kubelet-accepted',
      'sandbox-created',
      'image-pull',
      'container-created',
      'container-started',
      'ready',
    ],
    absent: ['image-present'],
  },
  'image-present': {
    phase: 'ready',
    kinds: [
      'created',
      'scheduled',
      'sandbox-created',
      'image-present',
      'container-created',
      'container-started',
      'ready',
    ],
    absent: ['image-pull'],
  },
  'missing-image': {
    phase: 'failed',
    kinds: ['scheduled', 'sandbox-created', 'image-pull-failed'],
    causes: ['image-pull-failed'],
  },
  'unschedulable-memory': {
    phase: 'pending',
    kinds: ['created', 'scheduling-failed'],
    absent: ['scheduled'],
    causes: ['insufficient-memory'],
  },
  'init-container': {
    phase: 'ready',
    kinds: ['sandbox-created', 'container-created', 'container-started', 'initialized', 'ready'],
  },
  'crash-loop': {
    phase: 'failed',
    kinds: ['container-started', 'container-failed', 'back-off'],
    causes: ['crash-loop'],
  },
  // A Job's two pods whose container exits 0 at once: Succeeded, and never Ready (Ready=False/PodCompleted).
  'job-complete': {
    phase: 'succeeded',
    kinds: ['created', 'scheduled', 'sandbox-created', 'image-present', 'container-created', 'container-started'],
    absent: ['ready', 'container-failed'],
  },
  'deployment-3': { phase: 'ready', kinds: ['created', 'scheduled', 'sandbox-created', 'container-started', 'ready'] },
};

const scenarios = recordedScenarios();

describe('recorded real runs', () => {
  it('there are recordings, and each has expectations', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(3);
    for (const s of scenarios) expect(EXPECT[s], `expectations for ${s}`).toBeDefined();
  });

  describe.each(scenarios)('%s', (scenario) => {
    const dir = join(RECORDED_ROOT, scenario);
    const { evidence, pods } = evidenceOf(dir);
    const exp = EXPECT[scenario]!;

    it('gives the expected steps, phase and causes for every pod', () => {
      for (const pod of pods) {
        const t = traceFor(evidence, pod);
        const e = exp.pods?.[pod] ?? exp;
        const kinds = t.steps.map((s) => s.kind);
        for (const k of e.kinds) expect(kinds, `${pod}: ${k}`).toContain(k);
        for (const k of e.absent ?? []) expect(kinds, `${pod}: no ${k}`).not.toContain(k);
        expect(t.phase, pod).toBe(e.phase);
        const causes = t.diagnosis.map((d) => d.cause);
        for (const c of e.causes ?? []) expect(causes, pod).toContain(c);
        // Only a container that really ran and exited more than once is a crash loop.
        if (!(e.causes ?? []).includes('crash-loop')) expect(causes, pod).not.toContain('crash-loop');
        for (const [c, path] of Object.entries(e.fields ?? {}))
          expect(t.diagnosis.find((d) => d.cause === c)?.yamlPath, `${pod}: ${c}`).toBe(path);
        const notes = t.notes.map((n) => n.kind);
        for (const n of e.notes ?? []) expect(notes, pod).toContain(n);
        for (const n of e.absentNotes ?? []) expect(notes, pod).not.toContain(n);
        if (e.attempts)
          expect(
            t.steps
              .filter((s) => s.kind === 'container-started' && s.container === e.attempts?.container)
              .map((s) => s.attempt),
          ).toEqual(e.attempts.started);
        for (const name of e.sidecars ?? [])
          expect(t.containers.find((c) => c.name === name)).toMatchObject({ init: true, sidecar: true });
        expect(new Set(t.steps.map((s) => s.id)).size).toBe(t.steps.length);
        if (e.phase !== 'pending') expect(t.runtime).toBe('containerd');
      }
    });

    it('places no step before the pod existed (no 1970 start, no earlier pod of the same name)', () => {
      for (const pod of pods) {
        const t = traceFor(evidence, pod);
        const created = t.steps.find((s) => s.kind === 'created')?.end;
        for (const s of t.steps)
          for (const at of [s.start, s.end]) {
            if (!at) continue;
            expect(at.key >= '2000', `${pod}: ${s.id}`).toBe(true);
            if (created) expect(diffMs(created, at), `${pod}: ${s.id}`).toBeGreaterThan(-1000);
          }
      }
    });

    it("CRI step times equal containerd's own lines (ground truth read on the node)", () => {
      const truthFile = join(dir, 'ground-truth.json');
      if (!existsSync(truthFile)) return;
      const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Record<string, { uid: string; lines: string[] }>;
      for (const pod of pods) {
        const t = traceFor(evidence, pod);
        const gt = truth[pod] ?? Object.values(truth).find((g) => g.uid === t.pod.uid);
        if (!gt) continue;
        const recs = parseLogText(gt.lines.join('\n'), { referenceYear: 2026 }).records;
        const firstKey = (rpc: string, phase: string) =>
          recs.find((r) => r.type === 'cri' && r.rpc === rpc && r.phase === phase)?.time.key;
        const sb = t.steps.find((s) => s.kind === 'sandbox-created');
        if (firstKey('RunPodSandbox', 'end')) {
          expect(sb?.start?.key).toBe(firstKey('RunPodSandbox', 'start'));
          expect(sb?.end?.key).toBe(firstKey('RunPodSandbox', 'end'));
        }
        const started = t.steps.find((s) => s.kind === 'container-started' && s.attempt === 0 && !s.init);
        const lastStart = recs.filter((r) => r.type === 'cri' && r.rpc === 'StartContainer' && r.phase === 'end');
        if (started && lastStart.length > 0) expect(lastStart.map((r) => r.time.key)).toContain(started.end?.key);
      }
    });

    it('is the same trace in any order (recorded data)', () => {
      const pod = pods[0]!;
      const forward = stableStringify(traceFor(evidence, pod));
      expect(stableStringify(traceFor([...evidence].reverse(), pod))).toBe(forward);
    });

    it('`pod-birth explain` gives the JSON contract from the kubectl-shaped files', async () => {
      if (!existsSync(join(dir, 'pod.json'))) return;
      let out = '';
      let err = '';
      const args = [
        'explain',
        '--pod',
        join(dir, 'pod.json'),
        '--events',
        join(dir, 'events.json'),
        '--format',
        'json',
      ];
      if (existsSync(join(dir, 'containerd.log'))) args.push('--node-log', join(dir, 'containerd.log'));
      // A manifest of one object (not a list of several) maps the causes to their lines.
      const manifestFile = join(dir, 'manifest.json');
      const manifest = existsSync(manifestFile) && !readFileSync(manifestFile, 'utf8').trimStart().startsWith('[');
      if (manifest) args.push('--manifest', manifestFile);
      const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), ask: async () => null });
      expect(err).toBe('');
      expect(code).toBe(0);
      const j = JSON.parse(out) as {
        pod: { name: string };
        runtime: string;
        steps: { kind: string; start: string | null; precision: string; source: string; line: number | null }[];
        diagnosis: { cause: string; line: number | null }[];
      };
      expect(j.runtime).toBe(EXPECT[scenario]?.phase === 'pending' ? null : 'containerd');
      expect(j.steps.length).toBeGreaterThanOrEqual(2);
      for (const s of j.steps) {
        expect(['s', 'ms', 'us', 'ns']).toContain(s.precision);
        if (s.start) expect(s.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        if (!manifest) expect(s.line).toBeNull();
      }
      for (const [c, line] of Object.entries(exp.lines ?? {}))
        expect(j.diagnosis.find((d) => d.cause === c)?.line, c).toBe(line);
      const times = j.steps.map((s) => s.start).filter((x): x is string => !!x);
      expect(times.length).toBeGreaterThan(0);
    });
  });
});

describe('CLI input errors', () => {
  const run = async (args: string[]) => {
    let err = '';
    const code = await main(args, { out: () => undefined, err: (s) => (err += s), ask: async () => null });
    return { code, err };
  };
  it('missing file, not JSON, not a Pod, bad YAML: exit 2 and one clear line', async () => {
    const dir = join(RECORDED_ROOT, scenarios[0] ?? '');
    const cases: [string[], RegExp][] = [
      [['explain', '--pod', '/nonexistent/pod.json'], /\/nonexistent\/pod.json: no such file/],
      [['explain', '--pod', join(dir, 'containerd.log')], /is not valid JSON/],
      [['explain', '--pod', join(dir, 'events.json')], /is a List; pass a single pod|is not a Pod/],
      [
        [
          'explain',
          '--pod',
          join(dir, 'pod.json'),
          '--manifest',
          join(__dirname, '..', 'samples', 'README-not-there.yaml'),
        ],
        /no such file/,
      ],
      [['explain'], /--pod \(or --trace\) is required/],
      [['explain', '--pod', join(dir, 'pod.json'), '--format', 'xml'], /--format must be json, text or mermaid/],
    ];
    for (const [args, re] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')[0]).toMatch(/^pod-birth: /);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
