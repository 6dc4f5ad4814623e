// The node debug source on the real cluster in stock mode (POD_BIRTH_NODE_LOGS=stock): through the
// built CLI (`trace --apply --yes --node-debug --format json`), CRI steps within 1 ms of the
// runtime's own log; the debug pod gone a few seconds after the CLI exits, also after SIGKILL; a
// restricted Pod Security namespace refuses it clearly and the trace goes on degraded; a user who may
// not create pods gets a note naming the permission; the debug pod is never a step or a diagnosis.
// POD_BIRTH_RECORD=1 also records the debug pod's log and the runtime's log copy for the unit tests.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace, TraceNote } from '../../src/core/model.js';
import { nodeDebugPod } from '../../src/core/node-debug.js';
import { parseInstant } from '../../src/core/time.js';
import {
  clusterEnv,
  combinationOf,
  isStockNodeLogs,
  createNamespace,
  deleteNamespace,
  kubectl,
  kubectlJson,
  mintKubeconfig,
  waitFor,
} from './harness.js';
import { busyboxPod, cli, CLI, cliEnv } from './cli-run.js';
import { groundTruthOf } from './trace-checks.js';

const ROOT = join(__dirname, '..', '..');
const SELECTOR = 'app.kubernetes.io/managed-by=pod-birth,app.kubernetes.io/component=node-debug';

interface ContractStep {
  id?: string;
  kind: string;
  container: string | null;
  attempt?: number;
  source: string;
  precision: string;
  start: string | null;
  end: string | null;
  message: string;
}
interface ContractTrace {
  pod: Trace['pod'];
  steps: ContractStep[];
  diagnosis: { cause: string; message: string; evidence?: string }[];
  notes: TraceNote[];
}

const stock = isStockNodeLogs();

let ns: string;
let dir: string;
beforeAll(async () => {
  clusterEnv();
  ns = await createNamespace('pb-ndebug');
  // The debug pod mounts the host: only a privileged namespace admits it (what docs/node-debug.md asks of an admin).
  await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=privileged']);
  dir = mkdtempSync(join(tmpdir(), 'pb-ndebug-'));
});
afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

async function debugPods(namespace: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    SELECTOR,
  ]);
  return list.items.map((p) => p.metadata.name);
}

/** Steps as the ground-truth check reads them (Instants from the contract's ISO strings). */
function timed(t: ContractTrace) {
  return {
    pod: t.pod,
    steps: t.steps.map((s) => ({
      id: s.id ?? s.kind,
      kind: s.kind,
      container: s.container,
      attempt: s.attempt ?? 0,
      source: s.source,
      precision: s.precision,
      start: s.start ? parseInstant(s.start) : null,
      end: s.end ? parseInstant(s.end) : null,
    })),
  };
}

describe.runIf(stock)('node debug pod on a stock node', () => {
  it('--node-debug: CRI steps within 1 ms of the runtime log, the source named, no debug pod left', async () => {
    const file = join(dir, 'pod.json');
    // A fresh pull every time: PullImage is among the calls checked, and the debug pod (same image) must
    // not be confused with it.
    writeFileSync(file, busyboxPod(ns, 'nd-truth', { imagePullPolicy: 'Always' }));
    const t0 = Date.now();
    const r = await cli([
      'trace',
      '--apply',
      '--yes',
      '--node-debug',
      '-f',
      file,
      '--format',
      'json',
      '--timeout',
      '120s',
    ]);
    const exitedAt = Date.now();
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as ContractTrace;
    // The debug pod was asked for (named) and confirmed by --yes.
    expect(r.stderr).toMatch(
      /node debug: Create a debug pod on node \S+ in namespace "pb-ndebug-\w+" .* with image busybox:1\.36\? It needs the host filesystem mounted read-only/,
    );
    // Why the log query was not usable, and which source fed the CRI steps.
    expect(t.notes.some((n) => n.kind === 'degraded' && /Node Log Query is not usable/.test(n.message))).toBe(true);
    const source = t.notes.find((n) => n.kind === 'info' && /CRI steps come from containerd's journal/.test(n.message));
    expect(source?.message).toMatch(/read by debug pod pb-ndebug-\w+\/pod-birth-node-debug-\w+ on node/);
    // Ground truth: every CRI call the runtime logged for the pod is a step within 1 ms; nothing invented.
    const gt = await groundTruthOf(timed(t));
    expect(gt.calls.length).toBeGreaterThanOrEqual(6);
    expect(
      gt.missing.map((c) => `${c.rpc} ${c.phase} at ${c.time}`),
      `steps: ${t.steps.map((x) => `${x.kind} ${x.source} ${x.start ?? '-'}..${x.end ?? '-'}`).join(', ')}`,
    ).toEqual([]);
    expect(gt.invented).toEqual([]);
    const runtimeSteps = t.steps.filter((s) => s.source === 'runtime-log');
    expect(runtimeSteps.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['sandbox-created', 'container-created', 'container-started']),
    );
    expect(runtimeSteps.every((s) => s.precision === 'ns' || s.precision === 'us')).toBe(true);
    // The debug pod is never a step, a diagnosis or part of the traced pod.
    expect(JSON.stringify(t.steps)).not.toContain('pod-birth-node-debug');
    expect(JSON.stringify(t.diagnosis)).not.toContain('pod-birth-node-debug');
    expect(t.diagnosis).toEqual([]);
    // Gone a few seconds after the CLI exited.
    await waitFor('no debug pod left', async () => ((await debugPods(ns)).length === 0 ? true : undefined), {
      timeoutMs: 5000,
    });
    console.log(`node-debug trace: ${(exitedAt - t0) / 1000}s, ${gt.calls.length} CRI calls matched within 1 ms`);
  });

  it('SIGKILL mid-trace: the watchdog deletes the debug pod within seconds', async () => {
    const file = join(dir, 'pod-kill.json');
    // A long trace: the pod runs but never becomes Ready (its readiness probe fails), so the CLI is
    // still tracing, with its debug pod up, when it is killed.
    writeFileSync(
      file,
      busyboxPod(ns, 'nd-kill', { readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } }),
    );
    const child = spawn(
      process.execPath,
      [CLI, 'trace', '--apply', '--yes', '--node-debug', '-f', file, '--format', 'json', '--timeout', '300s'],
      { stdio: 'ignore', env: cliEnv() },
    );
    const created = await waitFor('the debug pod', async () => ((await debugPods(ns)).length > 0 ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect(created).toBe(true);
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      'the debug pod deleted after SIGKILL',
      async () => ((await debugPods(ns)).length === 0 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    console.log(`debug pod gone ${(Date.now() - killedAt) / 1000}s after SIGKILL`);
    await kubectl(['-n', ns, 'delete', 'pod', 'nd-kill', '--grace-period=0', '--ignore-not-found']);
  });

  it('a restricted Pod Security namespace: a clear refusal, the trace goes on degraded', async () => {
    const restricted = await createNamespace('pb-ndebug-r');
    try {
      await kubectl(['label', 'namespace', restricted, 'pod-security.kubernetes.io/enforce=restricted']);
      const file = join(dir, 'pod-restricted.json');
      writeFileSync(
        file,
        busyboxPod(restricted, 'nd-restricted', {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        }),
      );
      const r = await cli([
        'trace',
        '--apply',
        '--yes',
        '--node-debug',
        '-f',
        file,
        '--format',
        'json',
        '--timeout',
        '90s',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const t = JSON.parse(r.stdout) as ContractTrace;
      const refusal = t.notes.find((n) => /Pod Security admission refused the debug pod/.test(n.message));
      expect(refusal?.message).toContain(`namespace "${restricted}" (level restricted)`);
      expect(refusal?.remedy).toContain('pod-security.kubernetes.io/enforce=privileged');
      expect(r.stderr).toContain('degraded: Pod Security admission refused the debug pod');
      // Degraded, honest: no runtime-log steps, whole-second CRI times.
      expect(t.steps.filter((s) => s.source === 'runtime-log')).toEqual([]);
      for (const s of t.steps.filter((x) => /sandbox|container-(created|started)|image/.test(x.kind)))
        expect(`${s.source}:${s.precision}`, s.kind).toMatch(/^(event|pod):s$|^watch:ms$/);
      expect(await debugPods(restricted)).toEqual([]);
    } finally {
      await deleteNamespace(restricted);
    }
  });

  it('no pods/create for the user: a degraded note naming the permission', async () => {
    const minted = await mintKubeconfig('pb-no-create', ns, [
      { resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { resources: ['events'], verbs: ['list', 'watch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['list', 'watch'] },
    ]);
    try {
      await kubectl(['apply', '-f', '-'], { input: busyboxPod(ns, 'nd-rbac') });
      await kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod/nd-rbac', '--timeout=60s']);
      const r = await cli([
        'trace',
        'pod/nd-rbac',
        '-n',
        ns,
        '--yes',
        '--node-debug',
        '--format',
        'json',
        '--timeout',
        '30s',
        '--kubeconfig',
        minted.path,
      ]);
      const t = JSON.parse(r.stdout) as ContractTrace;
      const note = t.notes.find((n) => /No debug pod on node/.test(n.message));
      expect(note?.message).toMatch(
        /may not create pods, delete pods, get pods\/log in namespace "pb-ndebug-\w+" \(SelfSubjectAccessReview\)/,
      );
      expect(note?.remedy).toContain('resources ["pods"], verbs ["create", "get", "delete"]');
      expect(await debugPods(ns)).toEqual([]);
    } finally {
      await minted.cleanup();
    }
  });

  it.runIf(process.env.POD_BIRTH_RECORD === '1')('records the debug pod log and the runtime log copy', async () => {
    const env = clusterEnv();
    const out = join(ROOT, 'test', 'fixtures', 'node-access', `stock-${combinationOf(env).kubernetes}`);
    mkdirSync(out, { recursive: true });
    const since = Date.now() - 2000;
    await kubectl(['apply', '-f', '-'], { input: busyboxPod(ns, 'nd-record') });
    await kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod/nd-record', '--timeout=60s']);
    const pod = nodeDebugPod({
      node: env.nodeName,
      namespace: ns,
      image: 'busybox:1.36',
      service: 'containerd',
      sinceEpochSeconds: Math.floor(since / 1000),
      deadlineSeconds: 120,
      owner: 'recorder@test',
      process: 'recorder:0',
    });
    const name = (
      await kubectl(['create', '-f', '-', '-o', 'jsonpath={.metadata.name}'], { input: JSON.stringify(pod) })
    ).trim();
    await kubectl(['-n', ns, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
    await new Promise((r) => setTimeout(r, 3000));
    const log = await kubectl(['-n', ns, 'logs', name]);
    await kubectl(['-n', ns, 'delete', 'pod', name, '--grace-period=0']);
    // Keep the fixture small: the mode line and the entries of the recorded pod's birth window.
    writeFileSync(join(out, 'debug-pod.log'), log);
    writeFileSync(join(out, 'since-epoch-ms.txt'), `${Math.floor(since / 1000) * 1000}\n`);
    const copy = readFileSync(env.runtimeLog ?? env.containerdLog, 'utf8').split('\n');
    const from = copy.findIndex((l) => {
      const m = /time="([^"]+)"/.exec(l);
      return m?.[1] !== undefined && Date.parse(m[1]) >= Math.floor(since / 1000) * 1000;
    });
    writeFileSync(join(out, 'containerd.log'), copy.slice(Math.max(0, from)).join('\n'));
    expect(log).toMatch(/^#pod-birth mode journal/);
  });
});
