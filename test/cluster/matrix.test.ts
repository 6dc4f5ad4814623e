// One row of `npm run test:matrix` (test/cluster/matrix.sh): on whatever combination is up
// (runtime × Kubernetes × node-log mode), the node, live traces checked against the runtime's own
// lines read on the node (or, on a stock node, against what the trace says it could not read), the
// failure cases, and the CLI's JSON trace. Each case writes what it found into the report file
// (POD_BIRTH_MATRIX_REPORT), also when its assertions fail, so the table shows partial results.
//
// Skipped unless POD_BIRTH_MATRIX_REPORT is set: the default suite (npm test) runs the full live
// files instead; this one is the compact set every combination gets.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection, type Connection, type KubeObject } from '../../src/cluster/index.js';
import type { Trace } from '../../src/core/model.js';
import type { Cause } from '../../src/core/vocabulary.js';
import { applyAndTrace } from '../reliability/cluster/support.js';
import {
  clusterEnv,
  combinationName,
  combinationOf,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  kubectlJson,
  pushFreshTag,
  type ClusterEnv,
} from './harness.js';
import { expectGroundTruth, expectHonestPrecision, groundTruthOf, type TimedStep } from './trace-checks.js';

const REPORT = process.env.POD_BIRTH_MATRIX_REPORT;

interface BirthRow {
  case: string;
  outcome: string;
  /** open: CRI calls the runtime logged for the pod, and how many are steps within 1 ms. */
  calls: number;
  matched: number;
  invented: number;
  /** stock: the degraded note the trace carries about the runtime log. */
  degraded?: string;
  /** `source:precision` pairs of the trace's steps. */
  precisions: string[];
  ok: boolean;
  error?: string;
}
interface FailureRow {
  case: string;
  expected: Cause;
  causes: string[];
  field: string | null;
  ok: boolean;
  error?: string;
}
export interface MatrixReport {
  combination: string;
  kubeletVersion: string;
  runtimeVersion: string;
  nodeReady: boolean;
  births: BirthRow[];
  failures: FailureRow[];
  cli?: BirthRow & { runtime: string | null };
}

let env: ClusterEnv;
let conn: Connection;
let ns: string;
const report: MatrixReport = {
  combination: '',
  kubeletVersion: '',
  runtimeVersion: '',
  nodeReady: false,
  births: [],
  failures: [],
};

function save(): void {
  if (!REPORT) return;
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

function pod(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', ...container }],
      ...spec,
    },
  };
}

async function traced(obj: KubeObject, timeoutMs: number): Promise<{ trace: Trace; outcome: string }> {
  const live = await applyAndTrace(conn, obj, { timeoutMs });
  const outcome = await live.finished;
  return { trace: live.trace(), outcome };
}

/** A birth that must reach Ready, checked against ground truth; the row is kept even on failure. */
async function birth(name: string, obj: () => Promise<KubeObject>): Promise<void> {
  const row: BirthRow = { case: name, outcome: '-', calls: 0, matched: 0, invented: 0, precisions: [], ok: false };
  report.births.push(row);
  try {
    const { trace, outcome } = await traced(await obj(), 90_000);
    row.outcome = outcome;
    const gt = combinationOf().nodeLogs === 'open' ? await groundTruthOf(trace) : undefined;
    if (gt) Object.assign(row, { calls: gt.calls.length, matched: gt.matched.length, invented: gt.invented.length });
    row.precisions = [...new Set(trace.steps.map((s) => `${s.source}:${s.precision}`))].sort();
    expect(outcome).toBe('ready');
    const verdict = await expectGroundTruth(trace);
    if (verdict.mode === 'degraded') row.degraded = verdict.note;
    row.ok = true;
  } catch (e) {
    row.error = message(e);
    throw e;
  } finally {
    save();
  }
}

/** A failure case: the trace must name `expected` at `field`. */
async function failure(
  name: string,
  expected: Cause,
  field: RegExp,
  obj: KubeObject,
  opts: { timeoutMs?: number; outcome?: string } = {},
): Promise<void> {
  const row: FailureRow = { case: name, expected, causes: [], field: null, ok: false };
  report.failures.push(row);
  try {
    const { trace, outcome } = await traced(obj, opts.timeoutMs ?? 60_000);
    row.causes = trace.diagnosis.map((d) => d.cause);
    const d = trace.diagnosis.find((x) => x.cause === expected);
    row.field = d?.yamlPath ?? null;
    expect(outcome).toBe(opts.outcome ?? 'failed');
    expect(row.causes).toContain(expected);
    expect(row.field).toMatch(field);
    if (expected !== 'crash-loop') expect(row.causes).not.toContain('crash-loop');
    expectHonestPrecision(trace);
    row.ok = true;
  } catch (e) {
    row.error = message(e);
    throw e;
  } finally {
    save();
  }
}

describe.runIf(!!REPORT)('matrix: one combination', () => {
  beforeAll(async () => {
    env = clusterEnv();
    report.combination = combinationName();
    save();
    conn = loadConnection({ kubeconfig: env.kubeconfig });
    ns = await createNamespace('pb-matrix');
  });
  afterAll(async () => {
    save();
    if (ns) await deleteNamespace(ns);
  });

  it('node: Ready, with the kubelet and runtime of the combination', async () => {
    const node = await kubectlJson<{
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
      };
    }>(['get', 'node', env.nodeName]);
    report.kubeletVersion = node.status.nodeInfo.kubeletVersion;
    report.runtimeVersion = node.status.nodeInfo.containerRuntimeVersion;
    report.nodeReady = node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    save();
    const combo = combinationOf();
    expect(report.nodeReady).toBe(true);
    expect(report.kubeletVersion.startsWith(`v${combo.kubernetes}.`)).toBe(true);
    expect(report.runtimeVersion).toMatch(
      { containerd: /^containerd:\/\/1\.6\./, containerd2: /^containerd:\/\/2\./, crio: /^cri-o:\/\// }[combo.runtime],
    );
  });

  describe('ground truth', () => {
    it('fresh pull', () =>
      birth('fresh-pull', async () =>
        pod('fresh', { image: await pushFreshTag(), command: ['sh', '-c', 'echo hello; sleep 3600'] }),
      ));
    it('image already present', () =>
      birth('image-present', async () => {
        await ensureImagePresent(ns, 'busybox:1.36');
        return pod('present', { command: ['sleep', '3600'] });
      }));
    it('init container and native sidecar', () =>
      birth('init-sidecar', async () =>
        pod(
          'init',
          { command: ['sleep', '3600'] },
          {
            initContainers: [
              { name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 1'] },
              { name: 'side', image: 'busybox:1.36', restartPolicy: 'Always', command: ['sleep', '3600'] },
            ],
          },
        ),
      ));
  });

  describe('failure cases', () => {
    it('missing image', () =>
      failure(
        'missing-image',
        'image-pull-failed',
        /^spec\.containers\[0\]\.image$/,
        pod('missing', { image: 'busybox:0.0-not-there' }),
      ));
    it('command not found', () =>
      failure(
        'start-error',
        'start-error',
        /^spec\.containers\[0\]\.command$/,
        pod('start', { command: ['/bin/does-not-exist'] }, { restartPolicy: 'Never' }),
      ));
    it('OOM kill', () =>
      failure(
        'oom-killed',
        'oom-killed',
        /^spec\.containers\[0\]\.resources\.limits\.memory$/,
        pod(
          'oom',
          {
            command: ['sh', '-c', 'x=$(head -c 64m /dev/zero | tr "\\0" a); sleep 1'],
            resources: { limits: { memory: '16Mi' } },
          },
          { restartPolicy: 'Never' },
        ),
      ));
    it('crash loop', () =>
      failure(
        'crash-loop',
        'crash-loop',
        /^spec\.containers\[0\]/,
        // Exits at once: with `sleep 1` first the container is Ready for a moment (no readiness
        // probe), and the 1.37 kubelet reported that before the crash, which ends the birth Ready.
        pod('crashy', { command: ['sh', '-c', 'exit 3'] }),
        { timeoutMs: 90_000 },
      ));
    it('unschedulable', () =>
      failure(
        'insufficient-memory',
        'insufficient-memory',
        /^spec\.containers\[0\]\.resources\.requests\.memory$/,
        pod('too-big', { resources: { requests: { memory: '512Gi' } } }),
        { timeoutMs: 8000, outcome: 'timeout' },
      ));
    it('invalid image name', () =>
      failure(
        'invalid-image-name',
        'invalid-image-name',
        /^spec\.containers\[0\]\.image$/,
        pod('bad-name', { image: 'busybox:1.36:bad' }),
        { timeoutMs: 25_000 },
      ));
    it('activeDeadlineSeconds', () =>
      failure(
        'deadline-exceeded',
        'deadline-exceeded',
        /^spec\.activeDeadlineSeconds$/,
        pod(
          'deadline',
          {
            command: ['sleep', '60'],
            readinessProbe: { exec: { command: ['test', '-f', '/nonexistent'] }, periodSeconds: 1 },
          },
          { activeDeadlineSeconds: 3 },
        ),
      ));
  });

  it('CLI: pod-birth trace --apply --yes --format json matches the runtime to the millisecond', async () => {
    const row: NonNullable<MatrixReport['cli']> = {
      case: 'cli',
      outcome: '-',
      calls: 0,
      matched: 0,
      invented: 0,
      precisions: [],
      ok: false,
      runtime: null,
    };
    report.cli = row;
    try {
      const cli = resolve('dist/cli.js');
      const sample = join('test', 'samples', 'busybox-pod.yaml');
      const out = await new Promise<string>((res, rej) =>
        execFile(
          process.execPath,
          [
            cli,
            'trace',
            '--apply',
            '--yes',
            '-f',
            sample,
            '-n',
            ns,
            '--kubeconfig',
            env.kubeconfig,
            '--format',
            'json',
          ],
          { timeout: 150_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
          (err, stdout, stderr) => (err ? rej(new Error(`${err.message}: ${stderr}`)) : res(stdout)),
        ),
      );
      const j = JSON.parse(out) as {
        pod: Trace['pod'];
        runtime: string | null;
        phase: string;
        steps: (Omit<TimedStep, 'start' | 'end'> & { start: string | null; end: string | null; precision: string })[];
        notes: { kind: string; source?: string; message: string; remedy?: string }[];
      };
      row.outcome = j.phase;
      row.runtime = j.runtime;
      row.precisions = [...new Set(j.steps.map((s) => `${s.source}:${s.precision}`))].sort();
      const steps: TimedStep[] = j.steps.map((s) => ({
        ...s,
        start: s.start ? { key: s.start } : null,
        end: s.end ? { key: s.end } : null,
      }));
      expect(j.phase).toBe('ready');
      expect(j.runtime).toBe(combinationOf().runtime === 'crio' ? 'cri-o' : 'containerd');
      if (combinationOf().nodeLogs === 'open') {
        const gt = await groundTruthOf({ pod: j.pod, steps });
        Object.assign(row, { calls: gt.calls.length, matched: gt.matched.length, invented: gt.invented.length });
        expect(gt.calls.length).toBeGreaterThanOrEqual(8);
        expect(gt.missing.map((c) => `${c.rpc} ${c.phase} ${c.time}`)).toEqual([]);
        expect(gt.invented).toEqual([]);
      } else {
        const note = j.notes.find((n) => n.kind === 'degraded' && n.source === 'runtime-log');
        row.degraded = note ? `${note.message} — ${note.remedy ?? ''}` : undefined;
        expect(note).toBeDefined();
        expect(j.steps.filter((s) => s.source === 'runtime-log')).toEqual([]);
      }
      row.ok = true;
    } catch (e) {
      row.error = message(e);
      throw e;
    } finally {
      save();
    }
  });
});
