// `pod-birth trace` / `record` with the cluster layer behind a small fake (as the editor's flow in
// test/unit/extension/trace-flow.test.ts): the target the arguments make, the confirmation refused or
// accepted, attach, a workload, and how each cluster answer becomes an exit code and a message.
// Target resolution itself is the real one, on a fake connection. (The real cluster run is in
// test/cluster and test/reliability/cluster.)

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ClusterError,
  RunError,
  confirmationText,
  type ApplyPlan,
  type Outcome,
  type ResolveOptions,
  type RunRequest,
  type RunResult,
  type TraceSession,
} from '../../../src/cluster/index.js';
import { manifestCauses } from '../../../src/cluster/target.js';
import { main } from '../../../src/cli/main.js';
import type { Io, TraceCluster } from '../../../src/cli/trace.js';
import type { Evidence } from '../../../src/core/trace/index.js';
import { recordedTrace } from '../../support/recorded.js';
import { HELLO_POD_YAML, resolveOnFake } from '../cluster/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'pb-cli-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const POD = file('pod.yaml', HELLO_POD_YAML);
const POD_IN_NS = file(
  'pod-ns.yaml',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\n  namespace: team-b\nspec:\n  containers:\n    - name: app\n      image: busybox:1.36\n',
);
const DEPLOY = file(
  'deploy.yaml',
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: busybox:1.36
`,
);

const trace = recordedTrace('fresh-pull');
const evidence: Evidence[] = [{ type: 'pod', object: { metadata: { name: 'hello' } } }];

interface Fake {
  readonly cluster: TraceCluster;
  readonly io: Io & { readonly stdout: () => string; readonly stderr: () => string; readonly asked: string[] };
  readonly requests: RunRequest[];
  readonly resolved: ResolveOptions[];
  /** What each apply confirmation answered. */
  readonly confirmed: (string | null)[];
  /** The run as a cluster that applies when confirmed and traces one pod (a workload: two). */
  readonly defaultRun: (r: RunRequest) => Promise<RunResult>;
}

function fake(
  opts: {
    /** The terminal's answer; null: no terminal. */
    answer?: boolean | null;
    outcome?: Outcome;
    run?: (r: RunRequest, f: Fake) => Promise<RunResult>;
    resolveFails?: Error;
  } = {},
): Fake {
  let out = '';
  let err = '';
  const asked: string[] = [];
  const io: Fake['io'] = {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    ask: async (q) => {
      asked.push(q);
      return opts.answer === undefined ? null : opts.answer;
    },
    stdout: () => out,
    stderr: () => err,
    asked,
  };
  // The real resolution on a fake connection: the flag's context and namespace, else the context's.
  const f: Fake = {
    io,
    requests: [],
    resolved: [],
    confirmed: [],
    defaultRun: (r) => defaultRun(r),
    cluster: {
      resolveTarget: (t, o = {}) => {
        f.resolved.push(o);
        if (opts.resolveFails) throw opts.resolveFails;
        return resolveOnFake(t, o);
      },
      startRun: async (r) => {
        f.requests.push(r);
        return (opts.run ?? defaultRun)(r, f);
      },
      confirmationText,
      ClusterError,
      RunError,
    },
  };
  const defaultRun = async (r: RunRequest): Promise<RunResult> => {
    const { target } = r;
    if (target.mode === 'apply') {
      const plan: ApplyPlan = {
        context: target.conn.context,
        server: target.conn.server,
        namespace: target.namespace,
        kind: target.subject.split('/')[0] ?? '',
        name: target.subject.split('/')[1] ?? '',
        dryRun: {},
      };
      const by = (await r.confirm?.(plan)) ?? null;
      f.confirmed.push(by);
      if (!by) return { status: 'declined', plan };
    }
    const names = target.maxPods > 1 ? ['web-1', 'web-2'] : ['hello'];
    for (const name of names) {
      const session = {
        trace: () => trace,
        recorded: evidence,
        stop: async () => undefined,
      } as unknown as TraceSession;
      r.onPod(name, session);
      r.onEvent(name, { type: 'started', namespace: target.namespace, name, context: 'dev', server: 's' });
      r.onEvent(name, { type: 'steps', trace, added: trace.steps.slice(0, 2), updated: [] });
    }
    return {
      status: 'running',
      run: { sessions: new Map(), finished: Promise.resolve(opts.outcome ?? 'ready'), stop: async () => undefined },
    };
  };
  return f;
}

const run = (f: Fake, ...argv: string[]): Promise<number> => main(argv, f.io, f.cluster);

describe('pod-birth trace: apply', () => {
  it('without a terminal: refuses, names the target, exits 2, applies nothing', async () => {
    const f = fake({ answer: null });
    expect(await run(f, 'trace', '--apply', '-f', POD)).toBe(2);
    expect(f.confirmed).toEqual([null]);
    expect(f.io.stderr()).toBe(
      'pod-birth: Apply Pod "hello" to namespace "default" of context "dev" (https://10.0.0.1:6443)?\n  Refusing to apply without confirmation: run in a terminal, or pass --yes.\n',
    );
    expect(f.io.stdout()).toBe('');
  });

  it('answered no: "not applied", exit 2', async () => {
    const f = fake({ answer: false });
    expect(await run(f, 'trace', '--apply', '-f', POD, '-n', 'team-a')).toBe(2);
    expect(f.io.asked).toEqual([
      'Apply Pod "hello" to namespace "team-a" of context "dev" (https://10.0.0.1:6443)? [y/N] ',
    ]);
    expect(f.confirmed).toEqual([null]);
    expect(f.io.stderr()).toBe('pod-birth: not applied.\n');
  });

  it('answered yes: confirmed by the terminal, steps printed live, the trace at the end, exit 0', async () => {
    const f = fake({ answer: true });
    expect(await run(f, 'trace', '--apply', '-f', POD)).toBe(0);
    expect(f.confirmed).toEqual(['terminal']);
    expect(f.io.stderr()).toBe('tracing pod default/hello (context dev)\noutcome: ready\n');
    const lines = f.io.stdout().split('\n');
    expect(lines.slice(0, 2).every((l) => l.startsWith('  ') && !l.startsWith('  ['))).toBe(true);
    expect(f.io.stdout()).toContain(`\npod ${trace.pod.namespace}/${trace.pod.name}`);
  });

  it('--yes: no question, confirmed by "--yes"', async () => {
    const f = fake();
    expect(await run(f, 'trace', '--apply', '--yes', '-f', POD)).toBe(0);
    expect(f.confirmed).toEqual(['--yes']);
    expect(f.io.asked).toEqual([]);
  });

  it("the manifest's namespace wins over --namespace; the object is sent there", async () => {
    const f = fake({ answer: true });
    await run(f, 'trace', '--apply', '-f', POD_IN_NS, '--namespace', 'team-a', '--context', 'prod');
    const target = f.requests[0]?.target;
    expect(target).toMatchObject({ mode: 'apply', namespace: 'team-b', maxPods: 1, subject: 'Pod/hello' });
    expect(target?.conn.context).toBe('prod');
    expect(target?.traced).toMatchObject({ kind: 'object', object: { metadata: { namespace: 'team-b' } } });
    expect(f.resolved[0]).toMatchObject({ context: 'prod', namespace: 'team-a', workloadPods: 1 });
  });

  it('a dry-run rejection names each field with its manifest line, exit 2', async () => {
    const f = fake({
      run: async (r) => ({
        status: 'rejected',
        message: 'The cluster rejected the pods: Pod "hello" is invalid.',
        causes: manifestCauses(
          [{ field: 'spec.containers[0].image', message: 'Required value', reason: 'FieldValueRequired' }],
          r.target.document!,
        ),
      }),
    });
    expect(await run(f, 'trace', '--apply', '--yes', '-f', POD)).toBe(2);
    expect(f.io.stderr()).toBe(
      `pod-birth: The cluster rejected the pods: Pod "hello" is invalid.\n  ${POD}:8: spec.containers[0].image: Required value\n`,
    );
  });
});

describe('pod-birth trace: attach and workloads', () => {
  it('pod/NAME: attaches in the --namespace, without asking', async () => {
    const f = fake();
    expect(await run(f, 'trace', 'pod/hello', '-n', 'team-a', '--format', 'json')).toBe(0);
    expect(f.requests[0]?.target).toMatchObject({
      mode: 'attach',
      namespace: 'team-a',
      traced: { kind: 'pod', name: 'hello' },
    });
    expect(f.io.asked).toEqual([]);
    // JSON: the contract only on stdout, no live lines.
    expect(JSON.parse(f.io.stdout())).toMatchObject({ pod: { name: trace.pod.name } });
    expect(f.io.stderr()).toBe('');
  });

  it('a manifest without --apply attaches to the pod it names; missing: says so and suggests --apply', async () => {
    const f = fake({ run: async () => ({ status: 'not-found', message: 'Pod "hello" does not exist.' }) });
    expect(await run(f, 'trace', '-f', POD)).toBe(2);
    expect(f.requests[0]?.target.mode).toBe('attach');
    expect(f.io.stderr()).toBe('pod-birth: Pod "hello" does not exist. Use --apply to create it.\n');
  });

  it('a workload with --pods 2: lines tagged by pod, every trace printed, owner failures shown', async () => {
    const f = fake({
      run: async (r, self) => {
        r.onOwnerFailed?.('ReplicaSet/web-1', 'exceeded quota: \u001b[2Jcompute', 2);
        return self.defaultRun(r);
      },
    });
    expect(await run(f, 'trace', '--apply', '--yes', '-f', DEPLOY, '--pods', '2')).toBe(0);
    expect(f.requests[0]?.target).toMatchObject({ maxPods: 2, subject: 'Deployment/web', namespace: 'default' });
    const err = f.io.stderr();
    expect(err).toContain('ReplicaSet/web-1 could not create pods (2×): exceeded quota: [2Jcompute\n');
    expect(err).toContain('[web-1] tracing pod default/web-1 (context dev)\n');
    expect(err).toContain('[web-2] tracing pod default/web-2 (context dev)\n');
    expect(f.io.stdout()).toMatch(/^ {2}\[web-1\] /m);
    expect(f.io.stdout().match(/^pod /gm)).toHaveLength(2);
  });

  it('--format mermaid: one diagram per pod', async () => {
    const f = fake();
    expect(await run(f, 'trace', '--apply', '--yes', '-f', DEPLOY, '--pods', '3', '--format', 'mermaid')).toBe(0);
    expect(f.io.stdout().match(/^sequenceDiagram/gm)).toHaveLength(2);
    expect(f.io.stderr()).toBe('');
  });

  it("record -o FILE writes the first pod's evidence as a trace file", async () => {
    const out = join(dir, 'trace.json');
    const f = fake();
    expect(await run(f, 'record', 'pod/hello', '-o', out)).toBe(0);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ context: 'dev', namespace: 'default', name: 'hello', evidence });
    expect(f.io.stderr()).toContain(`recorded 1 pieces of evidence to ${out}\n`);
  });
});

describe('pod-birth trace: outcomes and cluster errors → exit codes', () => {
  it.each([
    ['ready', 0],
    ['succeeded', 0],
    ['failed', 3],
    ['deleted', 3],
    ['timeout', 4],
  ] as const)('outcome %s → exit %i', async (outcome, code) => {
    expect(await run(fake({ outcome }), 'trace', 'pod/hello')).toBe(code);
  });

  it('no kubeconfig: the message, exit 5, no run', async () => {
    const f = fake({ resolveFails: new ClusterError('no-kubeconfig', 'No kubeconfig found (looked at /x).') });
    expect(await run(f, 'trace', 'pod/hello')).toBe(5);
    expect(f.io.stderr()).toBe('pod-birth: No kubeconfig found (looked at /x).\n');
    expect(f.requests).toEqual([]);
  });

  it.each([
    ['forbidden', 5],
    ['unreachable', 5],
    ['unauthorized', 5],
    ['tls', 5],
    ['conflict', 2],
    ['invalid', 2],
  ] as const)('%s from the run → exit %i', async (kind, code) => {
    const f = fake({
      run: async () => {
        throw new ClusterError(kind, `${kind}: what happened and what to do`);
      },
    });
    expect(await run(f, 'trace', '--apply', '--yes', '-f', POD)).toBe(code);
    expect(f.io.stderr()).toBe(`pod-birth: ${kind}: what happened and what to do\n`);
  });

  it('the cluster stopped the trace mid-way (401): the error, exit 5', async () => {
    const f = fake({
      run: async (r) => {
        r.onPod('hello', { trace: () => trace, recorded: [], stop: async () => undefined } as unknown as TraceSession);
        r.onEvent('hello', { type: 'error', error: new ClusterError('unauthorized', 'log in again (401)') });
        return {
          status: 'running',
          run: { sessions: new Map(), finished: Promise.resolve('stopped'), stop: async () => undefined },
        };
      },
    });
    expect(await run(f, 'trace', 'pod/hello')).toBe(5);
    expect(f.io.stderr()).toContain('pod-birth: log in again (401)\n');
  });

  it('a request the runner cannot make (no name to attach to) is a usage error, exit 2', async () => {
    const f = fake({
      run: async () => {
        throw new RunError('The Pod document has no metadata.name.');
      },
    });
    expect(await run(f, 'trace', '-f', POD)).toBe(2);
    expect(f.io.stderr()).toMatch(/^pod-birth: The Pod document has no metadata.name.\nusage: pod-birth trace/);
  });

  it('bad arguments never reach the cluster', async () => {
    for (const argv of [
      ['trace'],
      ['trace', 'deploy/web'],
      ['trace', '--apply', 'pod/hello'],
      ['trace', '-f', POD, 'pod/hello'],
      ['record', 'pod/hello'],
      ['trace', 'pod/hello', '--pods', '0'],
    ]) {
      const f = fake();
      expect(await run(f, ...argv), argv.join(' ')).toBe(2);
      expect(f.resolved, argv.join(' ')).toEqual([]);
    }
  });
});
