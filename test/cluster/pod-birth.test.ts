// Checks against the real cluster (`npm run cluster:up`, any combination): node Ready with the
// combination's kubelet and runtime, a busybox pod's real events, and the runtime's log lines
// through the node proxy (journald and file modes), compared with ground truth read directly on the
// node; on a stock node, what the node proxy answers instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apply,
  clusterEnv,
  combinationOf,
  createNamespace,
  deleteNamespace,
  getRaw,
  kubectlJson,
  nodeLogQueryPath,
  podEvents,
  rfc3339,
  runtimeLogLinesFor,
  runtimeService,
  truthCalls,
  waitFor,
  waitForEvent,
  waitForPod,
  type ClusterEnv,
  type PodLite,
} from './harness.js';

let env: ClusterEnv;
let service: 'containerd' | 'crio';
let open: boolean;

beforeAll(() => {
  // Fails (does not skip) with instructions when the cluster is not up: CI brings it up first.
  env = clusterEnv();
  service = runtimeService(env);
  open = combinationOf(env).nodeLogs === 'open';
});

/** What the node reports as its runtime for each combination (containerRuntimeVersion). */
const RUNTIME_VERSION: Record<string, RegExp> = {
  containerd: /^containerd:\/\/1\.6\./,
  containerd2: /^containerd:\/\/2\.\d+\./,
  crio: /^cri-o:\/\/1\.\d+\./,
};

describe('node', () => {
  it("is Ready, runs the combination's kubelet and runtime, and has Node Log Query as the combination says", async () => {
    const node = await kubectlJson<{
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
        addresses: { type: string; address: string }[];
      };
    }>(['get', 'node', env.nodeName]);
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const combo = combinationOf(env);
    expect(node.status.nodeInfo.kubeletVersion.startsWith(`v${combo.kubernetes}.`)).toBe(true);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(RUNTIME_VERSION[combo.runtime]!);
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: env.nodeIP });
    const configz = JSON.parse(await getRaw(`/api/v1/nodes/${env.nodeName}/proxy/configz`)) as {
      kubeletconfig: { enableSystemLogQuery?: boolean; featureGates?: Record<string, boolean> };
    };
    if (open) {
      expect(configz.kubeletconfig.enableSystemLogQuery).toBe(true);
      expect(configz.kubeletconfig.featureGates?.NodeLogQuery).toBe(true);
    } else {
      // As shipped: the setting off, the gate not set (configz lists only gates set explicitly).
      expect(configz.kubeletconfig.enableSystemLogQuery ?? false).toBe(false);
      expect(configz.kubeletconfig.featureGates?.NodeLogQuery).toBeUndefined();
    }
  });
});

describe('a busybox pod', () => {
  let ns: string;
  let pod: PodLite;
  let since: Date;
  const image = 'busybox:1.36';

  beforeAll(async () => {
    ns = await createNamespace('pb-busybox');
    // sinceTime has second precision; start a little early.
    since = new Date(Date.now() - 2000);
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello', namespace: ns },
      spec: {
        // Always: a real Pulling/Pulled even when the image is already on the node.
        containers: [
          { name: 'main', image, imagePullPolicy: 'Always', command: ['sh', '-c', 'echo hello; sleep 3600'] },
        ],
        terminationGracePeriodSeconds: 0,
      },
    });
    pod = await waitForPod(
      ns,
      'hello',
      'Running and Ready',
      (p) =>
        p.status.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  });

  afterAll(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it('reaches Running on the node', () => {
    expect(pod.spec.nodeName).toBe(env.nodeName);
    const cs = pod.status.containerStatuses?.[0];
    expect(cs?.state?.running?.startedAt).toBeTruthy();
    expect(cs?.containerID).toMatch(service === 'crio' ? /^cri-o:\/\/[0-9a-f]{64}$/ : /^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs?.imageID).toMatch(/^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
  });

  it('has Scheduled, Pulling, Pulled, Created, Started events from the real scheduler and kubelet', async () => {
    await waitForEvent(ns, pod.metadata.uid, 'Started');
    const events = await podEvents(ns, pod.metadata.uid);
    const byReason = (r: string) => events.find((e) => e.reason === r);
    const scheduled = byReason('Scheduled');
    expect(scheduled?.reportingComponent).toBe('default-scheduler');
    expect(scheduled?.message).toBe(`Successfully assigned ${ns}/hello to ${env.nodeName}`);
    for (const reason of ['Pulling', 'Pulled', 'Created', 'Started']) {
      const e = byReason(reason);
      expect(e, `event ${reason} in ${JSON.stringify(events.map((x) => x.reason))}`).toBeDefined();
      expect(e?.source?.component).toBe('kubelet');
      expect(e?.source?.host).toBe(env.nodeName);
      expect(e?.involvedObject.fieldPath).toBe('spec.containers{main}');
    }
    expect(byReason('Pulling')?.message).toBe(`Pulling image "${image}"`);
    expect(byReason('Pulled')?.message).toMatch(new RegExp(`^Successfully pulled image "${image}" in [\\d.]+m?s`));
  });

  it('ground truth on the node: the runtime logged sandbox, pull, create and start for this pod', async () => {
    const containerId = pod.status.containerStatuses?.[0]?.containerID?.replace(/^[a-z-]+:\/\//, '') ?? '';
    const gt = await waitFor('StartContainer success in the journal', async () => {
      const r = await runtimeLogLinesFor({ namespace: ns, name: 'hello' });
      return truthCalls(r.lines).some(
        (c) => c.rpc === 'StartContainer' && c.phase === 'end' && c.containerId === containerId,
      )
        ? r
        : undefined;
    });
    expect(gt.sandboxIds).toHaveLength(1);
    expect(gt.containerIds).toEqual([containerId]);
    const calls = truthCalls(gt.lines).map(
      (c) => `${c.rpc} ${c.phase}${c.container ? ` ${c.container}#${c.attempt ?? 0}` : ''}`,
    );
    expect(calls).toEqual(
      expect.arrayContaining([
        'RunPodSandbox start',
        'RunPodSandbox end',
        'PullImage start',
        'PullImage end',
        'CreateContainer start main#0',
        'CreateContainer end main#0',
        'StartContainer start main#0',
        'StartContainer end main#0',
      ]),
    );
    // The file copy has the same lines, without the journal prefix.
    const fromFile = await waitFor(
      `the same lines in ${env.runtimeLog ?? env.containerdLog}`,
      async () => {
        const r = await runtimeLogLinesFor({ namespace: ns, name: 'hello' }, { source: 'file' });
        return r.lines.length >= gt.lines.length ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(fromFile.lines[0]).toMatch(/^time="/);
    const body = (l: string) => l.slice(l.indexOf('time="'));
    expect(fromFile.lines.map(body)).toEqual(expect.arrayContaining(gt.lines.map(body)));
  });

  it('node proxy log query ?query=<runtime>&sinceTime= returns every ground-truth line (stock: the /var/log listing)', async () => {
    const gt = await runtimeLogLinesFor({ namespace: ns, name: 'hello' });
    const body = await getRaw(nodeLogQueryPath({ query: service, sinceTime: rfc3339(since) }));
    if (!open) {
      // The kubelet serves /logs/ as a file server over /var/log and ignores the query.
      expect(body).toMatch(/^<!doctype html>/i);
      expect(body).not.toContain(gt.sandboxIds[0] ?? 'missing');
      return;
    }
    expect(body).not.toMatch(/options present and query resolved to log files/);
    const lines = body.split('\n');
    // journald mode: "Mon DD HH:MM:SS.micro host <service>[pid]: time=… level=info msg=…"
    expect(lines[0]).toMatch(
      new RegExp(`^[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\S+ ${service}\\[\\d+\\]: `),
    );
    expect(truthCalls(gt.lines).filter((c) => c.phase === 'end').length).toBeGreaterThanOrEqual(4);
    // Every ground-truth line read on the node is in the proxied answer, byte for byte.
    for (const l of gt.lines) expect(lines).toContain(l);
  });

  it('node log query options work (journald, not file fallback): pattern and tailLines', async () => {
    const gt = await runtimeLogLinesFor({ namespace: ns, name: 'hello', uid: pod.metadata.uid });
    const containerId = gt.containerIds[0] ?? 'missing';
    const body = await getRaw(
      nodeLogQueryPath({ query: service, sinceTime: rfc3339(since), pattern: containerId.slice(0, 12) }),
    );
    if (!open) {
      expect(body).toMatch(/^<!doctype html>/i);
      return;
    }
    const lines = body.split('\n').filter(Boolean);
    // The journal lines naming the container, as read on the node (it still runs: no new lines).
    const naming = (await runtimeLogLinesFor({ namespace: ns, name: 'hello' }, { since })).lines.filter((l) =>
      l.includes(containerId.slice(0, 12)),
    );
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines).toEqual(naming);
    const tail = (await getRaw(nodeLogQueryPath({ query: service, tailLines: 3 }))).split('\n').filter(Boolean);
    expect(tail.length).toBe(3);
  });

  it('node proxy log query ?query=kubelet has the kubelet SyncLoop ADD line for the pod', async () => {
    const body = await getRaw(
      nodeLogQueryPath({ query: 'kubelet', sinceTime: rfc3339(since), pattern: 'SyncLoop ADD' }),
    );
    if (!open) {
      expect(body).toMatch(/^<!doctype html>/i);
      return;
    }
    expect(body).toMatch(
      new RegExp(
        `kubelet\\[\\d+\\]: I\\d{4} [\\d:.]+ +\\d+ kubelet.go:\\d+\\] "SyncLoop ADD" source="api" pods=\\["${ns}/hello"\\]`,
      ),
    );
  });

  it('node proxy /logs/<runtime>.log returns the plain file (stock: 404, nothing under /var/log)', async () => {
    const containerId = (await runtimeLogLinesFor({ namespace: ns, name: 'hello' })).containerIds[0] ?? 'missing';
    const path = `/api/v1/nodes/${env.nodeName}/proxy/logs/${service}.log`;
    if (!open) {
      await expect(getRaw(path)).rejects.toThrow(/NotFound|not found|404/i);
      return;
    }
    const body = await getRaw(path);
    const lines = body.split('\n').filter(Boolean);
    expect(lines.every((l) => l.startsWith('time="'))).toBe(true);
    expect(body).toContain(containerId);
  });
});
