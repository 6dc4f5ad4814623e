// Failure truth, live: each way a pod's birth goes wrong, created on the real cluster and traced
// through the product's own flow (startRun, as the CLI and the editor do). Each case checks the
// cause, the manifest field, and that nothing is called a crash loop unless the container really ran
// and exited more than once. The same cases, recorded, drive the fast unit tests
// (test/fixtures/recorded/<case>/, test/unit/recorded.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadConnection,
  resolveTargetOn,
  startRun,
  type Connection,
  type KubeObject,
  type TraceSession,
} from '../../src/cluster/index.js';
import type { Diagnosis, Trace } from '../../src/core/model.js';
import type { Cause } from '../../src/core/vocabulary.js';
import { applyAndTrace, sleep, until } from '../reliability/cluster/support.js';
import {
  clusterEnv,
  combinationOf,
  createNamespace,
  deleteNamespace,
  kubectl,
  kubectlJson,
  waitForPod,
} from './harness.js';
import { expectGroundTruth, step } from './trace-checks.js';

let conn: Connection;
let ns: string;

beforeAll(async () => {
  conn = loadConnection({ kubeconfig: clusterEnv().kubeconfig });
  ns = await createNamespace('pb-failure-truth');
});
afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

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

async function traced(obj: KubeObject, timeoutMs = 60_000): Promise<{ trace: Trace; outcome: string }> {
  const live = await applyAndTrace(conn, obj, { timeoutMs });
  const outcome = await live.finished;
  return { trace: live.trace(), outcome };
}

function cause(t: Trace, c: Cause): Diagnosis {
  const d = t.diagnosis.find((x) => x.cause === c);
  expect(d, `cause ${c} in ${JSON.stringify(t.diagnosis.map((x) => x.cause))}`).toBeDefined();
  return d!;
}

/** No step before the pod existed (a 1970 startedAt, an earlier pod's lines) and no crash loop. */
function sane(t: Trace): void {
  const created = step(t, 'created')?.start?.key;
  expect(created, 'created step').toBeDefined();
  for (const s of t.steps) {
    const at = s.start?.key ?? s.end?.key;
    if (at && created)
      expect(at.slice(0, 19) >= created.slice(0, 19), `${s.kind} at ${at} before ${created}`).toBe(true);
  }
  expect(
    t.notes.some((n) => /clock/i.test(n.message)),
    'a clock-skew note',
  ).toBe(false);
}

/** A readiness probe that never passes: the pod stays not Ready, so what happens next is still its birth. */
const NEVER_READY = { exec: { command: ['test', '-f', '/nonexistent'] }, periodSeconds: 1 };

const notCrashLoop = (t: Trace): void =>
  expect(t.diagnosis.map((d) => d.cause)).not.toContain('crash-loop' satisfies Cause);

describe('failure truth on the real cluster', () => {
  it.each([
    ['command not found', { command: ['/bin/does-not-exist'] }, 'spec.containers[0].command', /no such file/],
    ['permission denied', { command: ['/etc/passwd'] }, 'spec.containers[0].command', /permission denied/],
    [
      'bad workingDir',
      { command: ['sleep', '60'], workingDir: '/etc/passwd/x' },
      'spec.containers[0].workingDir',
      /not a directory/,
    ],
  ])('start error: %s → start-error at the field the runtime names', async (_what, container, field, text) => {
    const name = `start-${Math.random().toString(36).slice(2, 7)}`;
    const { trace, outcome } = await traced(pod(name, container, { restartPolicy: 'Never' }));
    expect(outcome).toBe('failed');
    const d = cause(trace, 'start-error');
    expect(d.yamlPath).toBe(field);
    expect(d.evidence + d.message).toMatch(text);
    notCrashLoop(trace);
    sane(trace);
    // The runtime steps that did happen are the runtime's own times (when its log is readable).
    if (combinationOf().nodeLogs === 'open') expect(step(trace, 'sandbox-created')?.source).toBe('runtime-log');
    expect(step(trace, 'container-started')).toBeUndefined();
  });

  it('activeDeadlineSeconds → deadline-exceeded at spec.activeDeadlineSeconds', async () => {
    const { trace, outcome } = await traced(
      // Never Ready (its readiness probe never passes), so the deadline ends the birth itself.
      pod('deadline', { command: ['sleep', '60'], readinessProbe: NEVER_READY }, { activeDeadlineSeconds: 3 }),
    );
    expect(outcome).toBe('failed');
    expect(cause(trace, 'deadline-exceeded').yamlPath).toBe('spec.activeDeadlineSeconds');
    notCrashLoop(trace);
    sane(trace);
  });

  it('OOM kill → oom-killed at resources.limits.memory, with the limit', async () => {
    const { trace, outcome } = await traced(
      pod(
        'oom',
        {
          command: ['sh', '-c', 'x=$(head -c 64m /dev/zero | tr "\\0" a); sleep 1'],
          resources: { limits: { memory: '16Mi' } },
        },
        { restartPolicy: 'Never' },
      ),
    );
    expect(outcome).toBe('failed');
    const d = cause(trace, 'oom-killed');
    expect(d.yamlPath).toBe('spec.containers[0].resources.limits.memory');
    expect(d.message + d.suggestion).toMatch(/16Mi/);
    notCrashLoop(trace);
    sane(trace);
    await expectGroundTruth(trace);
  });

  it('ephemeral-storage over the limit → evicted at the limit', async () => {
    const { trace, outcome } = await traced(
      pod('evict', {
        command: ['sh', '-c', 'dd if=/dev/zero of=/tmp/fill bs=1M count=10; sleep 600'],
        resources: { limits: { 'ephemeral-storage': '1Mi' } },
        readinessProbe: NEVER_READY,
      }),
      90_000,
    );
    expect(outcome).toBe('failed');
    const d = cause(trace, 'evicted');
    expect(d.yamlPath).toBe('spec.containers[0].resources.limits.ephemeral-storage');
    notCrashLoop(trace);
    sane(trace);
  });

  it('schedulingGates → scheduling-gated while gated, and the trace goes on when they are removed', async () => {
    const live = await applyAndTrace(
      conn,
      pod('gated', { command: ['sleep', '600'] }, { schedulingGates: [{ name: 'example.com/wait' }] }),
      { timeoutMs: 60_000 },
    );
    await until(
      'the scheduling-gated cause',
      () => live.trace().diagnosis.some((d) => d.cause === 'scheduling-gated'),
      20_000,
    );
    const gated = live.trace().diagnosis.find((d) => d.cause === 'scheduling-gated')!;
    expect(gated.yamlPath).toBe('spec.schedulingGates');
    expect(gated.message).toContain('example.com/wait');
    await sleep(1000);
    await kubectl([
      '-n',
      ns,
      'patch',
      'pod',
      'gated',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/schedulingGates","value":[]}]',
    ]);
    expect(await live.finished).toBe('ready');
    const t = live.trace();
    expect(step(t, 'scheduling-gated')).toBeDefined();
    expect(step(t, 'scheduled')).toBeDefined();
    expect(t.diagnosis).toEqual([]);
    sane(t);
  });

  it('readinessGates never satisfied → readiness-gate at spec.readinessGates', async () => {
    const { trace } = await traced(
      pod('gate', { command: ['sleep', '600'] }, { readinessGates: [{ conditionType: 'example.com/never' }] }),
      15_000,
    );
    const d = cause(trace, 'readiness-gate');
    expect(d.yamlPath).toBe('spec.readinessGates');
    expect(d.message).toContain('example.com/never');
    notCrashLoop(trace);
  });

  it.each([
    ['image-never-pull', { image: 'busybox:never-pulled', imagePullPolicy: 'Never' }],
    ['invalid-image-name', { image: 'busybox:1.36:bad' }],
    ['registry-unreachable', { image: '127.0.0.1:5999/nothing:1' }],
  ] as const)('%s → its own cause at the image line', async (expected, container) => {
    const { trace } = await traced(
      pod(`img-${Math.random().toString(36).slice(2, 7)}`, { command: ['sleep', '60'], ...container }),
      25_000,
    );
    expect(cause(trace, expected).yamlPath).toMatch(/^spec\.containers\[0\]\.(image|imagePullPolicy)$/);
    notCrashLoop(trace);
  });

  it('native sidecar: started, running alongside the app, Ready', async () => {
    const { trace, outcome } = await traced(
      pod(
        'sidecar',
        { command: ['sleep', '600'] },
        {
          initContainers: [{ name: 'side', image: 'busybox:1.36', restartPolicy: 'Always', command: ['sleep', '600'] }],
        },
      ),
    );
    expect(outcome).toBe('ready');
    expect(step(trace, 'container-started', 'side')).toBeDefined();
    expect(step(trace, 'container-started', 'main')).toBeDefined();
    expect(trace.diagnosis).toEqual([]);
    await expectGroundTruth(trace);
  });

  it('init container failing with restartPolicy Never → failed, not a back-off loop', async () => {
    const { trace, outcome } = await traced(
      pod(
        'init-fails',
        { command: ['sleep', '60'] },
        {
          restartPolicy: 'Never',
          initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'exit 1'] }],
        },
      ),
    );
    expect(outcome).toBe('failed');
    const d = trace.diagnosis.find((x) => x.container === 'setup');
    expect(d?.yamlPath).toMatch(/^spec\.initContainers\[0\]/);
    expect(d?.message + (d?.suggestion ?? '')).not.toMatch(/back(ing)?[- ]off/i);
    notCrashLoop(trace);
  });

  it('a container restarting: every attempt in the trace; this one is a real crash loop', async () => {
    const { trace, outcome } = await traced(pod('restarts', { command: ['sh', '-c', 'sleep 1; exit 1'] }), 90_000);
    expect(outcome).toBe('failed');
    const starts = trace.steps.filter((s) => s.kind === 'container-started' && s.container === 'main');
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(cause(trace, 'crash-loop').container).toBe('main');
    sane(trace);
  });

  it('readiness probe failing, then passing: Ready, and no failure', async () => {
    const { trace, outcome } = await traced(
      pod('slow-ready', {
        command: ['sh', '-c', 'sleep 3; touch /tmp/ready; sleep 600'],
        readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 30 },
      }),
    );
    expect(outcome).toBe('ready');
    expect(trace.diagnosis).toEqual([]);
    expect(trace.steps.filter((s) => s.status === 'failed')).toEqual([]);
  });

  it('liveness probe killing the container → liveness-killed at the probe', async () => {
    // Not Ready yet when the liveness probe kills it: the kill is part of the birth.
    const { trace, outcome } = await traced(
      pod('liveness', {
        command: ['sleep', '600'],
        readinessProbe: NEVER_READY,
        livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
      }),
      90_000,
    );
    expect(outcome).toBe('failed');
    expect(cause(trace, 'liveness-killed').yamlPath).toBe('spec.containers[0].livenessProbe');
    notCrashLoop(trace);
  });

  it('the same pod name created twice: nothing of the first pod in the second trace', async () => {
    const first = await traced(pod('twice', { command: ['sleep', '600'] }));
    expect(first.outcome).toBe('ready');
    await kubectl(['-n', ns, 'delete', 'pod', 'twice', '--grace-period=0', '--force', '--wait=true']);
    const second = await traced(pod('twice', { command: ['sleep', '600'] }));
    expect(second.outcome).toBe('ready');
    expect(second.trace.pod.uid).not.toBe(first.trace.pod.uid);
    sane(second.trace);
    await expectGroundTruth(second.trace);
  });

  it('preemption by a higher-priority pod → preempted, naming the preemptor', async () => {
    const node = await kubectlJson<{ items: { status: { allocatable: { cpu: string } } }[] }>([
      'get',
      'nodes',
      '-o',
      'json',
    ]);
    const cpu = node.items[0]!.status.allocatable.cpu;
    const milli = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000;
    const request = `${Math.floor(milli * 0.6)}m`;
    const classes = ['low', 'high'].map((p, i) => ({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: `pb-failure-truth-${p}-${ns}` },
      value: i === 0 ? 1000 : 100000,
    }));
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: classes }) });
    try {
      const low = await applyAndTrace(
        conn,
        pod(
          'low',
          { command: ['sleep', '600'], resources: { requests: { cpu: request } } },
          {
            priorityClassName: classes[0]!.metadata.name,
          },
        ),
        { timeoutMs: 90_000 },
      );
      await until('low Ready', () => step(low.trace(), 'ready') !== undefined, 30_000);
      const high = await applyAndTrace(
        conn,
        pod(
          'high',
          { command: ['sleep', '600'], resources: { requests: { cpu: request } } },
          {
            priorityClassName: classes[1]!.metadata.name,
          },
        ),
        { timeoutMs: 90_000 },
      );
      await low.finished;
      const d = cause(low.trace(), 'preempted');
      expect(d.message).toMatch(/high|preempt/i);
      expect(await high.finished).toBe('ready');
    } finally {
      await kubectl(['delete', 'priorityclass', ...classes.map((c) => c.metadata.name), '--ignore-not-found']);
    }
  });
  it('a Job reaching its backoffLimit: the pods say their container exited, the Job says its limit was reached', async () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'fails', namespace: ns },
      spec: {
        // 0: the Job gives up with its first pod, within that pod's trace. (With a higher limit the
        // trace ends with the first pod's failure, before the Job gives up; the recording
        // job-backoff-limit covers that case, replayed with the namespace's events.)
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 1; exit 1'] }],
          },
        },
      },
    };
    const sessions: TraceSession[] = [];
    const r = await startRun({
      target: resolveTargetOn(conn, { kind: 'object', object: job, mode: 'apply' }, 1),
      timeoutMs: 60_000,
      session: { failureGraceMs: 6000 },
      confirm: async () => 'test',
      onPod: (_n, s) => sessions.push(s),
      onEvent: () => undefined,
    });
    expect(r.status).toBe('running');
    if (r.status !== 'running') return;
    expect(await r.run.finished).toBe('failed');
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    // The first pod's birth ended in its failure (later pods may still be starting when the run ends).
    const t = sessions[0]!.trace();
    const d = cause(t, 'container-exited');
    // Pod-relative, as every Diagnosis path; the CLI's JSON maps it into the Job's template.
    expect(d.yamlPath).toBe('spec.containers[0]');
    expect(d.message).toMatch(/restartPolicy Never/);
    notCrashLoop(t);
    sane(t);
    // The Job's own verdict reaches the trace through its events.
    const verdicts = sessions.map((s) => s.trace().diagnosis.find((x) => x.cause === 'backoff-limit-exceeded'));
    expect(verdicts.some(Boolean), 'backoff-limit-exceeded in a pod trace').toBe(true);
  });

  it('a StatefulSet pod replaced under the same name: the new trace holds nothing of the old pod', async () => {
    const labels = { app: 'web' };
    await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'web', namespace: ns },
            spec: { clusterIP: 'None', selector: labels, ports: [{ port: 80 }] },
          },
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            metadata: { name: 'web', namespace: ns },
            spec: {
              serviceName: 'web',
              replicas: 1,
              selector: { matchLabels: labels },
              template: {
                metadata: { labels },
                spec: {
                  terminationGracePeriodSeconds: 0,
                  containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '600'] }],
                },
              },
            },
          },
        ],
      }),
    });
    const first = await waitForPod(
      ns,
      'web-0',
      'Ready',
      (p) => !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    await kubectl(['-n', ns, 'delete', 'pod', 'web-0', '--wait=true']);
    await waitForPod(ns, 'web-0', 'replaced', (p) => p.metadata.uid !== first.metadata.uid);
    const sessions: TraceSession[] = [];
    const r = await startRun({
      target: resolveTargetOn(conn, { kind: 'pod', name: 'web-0', namespace: ns }),
      timeoutMs: 60_000,
      session: { failureGraceMs: 6000 },
      onPod: (_n, s) => sessions.push(s),
      onEvent: () => undefined,
    });
    expect(r.status).toBe('running');
    if (r.status !== 'running') return;
    expect(await r.run.finished).toBe('ready');
    const t = sessions[0]!.trace();
    expect(t.pod.uid).not.toBe(first.metadata.uid);
    sane(t);
    await expectGroundTruth(t);
  });
});
