// Checks against the real cluster (`npm run cluster:up`): node Ready, a busybox pod's
// real events, and the runtime's log lines through the node proxy (journald and file modes),
// compared with ground truth read directly on the node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apply,
  clusterEnv,
  containerdMsg,
  createNamespace,
  deleteNamespace,
  getRaw,
  kubectlJson,
  nodeLogQueryPath,
  podEvents,
  rfc3339,
  runtimeLogLinesFor,
  waitFor,
  waitForEvent,
  waitForPod,
  type ClusterEnv,
  type PodLite,
} from './harness.js';

let env: ClusterEnv;

beforeAll(() => {
  // Fails (does not skip) with instructions when the cluster is not up: CI brings it up first.
  env = clusterEnv();
});

describe('node', () => {
  it('is Ready, runs kubelet v1.34 on containerd 1.6, and has Node Log Query enabled', async () => {
    const node = await kubectlJson<{
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
        addresses: { type: string; address: string }[];
      };
    }>(['get', 'node', env.nodeName]);
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.34\./);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: env.nodeIP });
    const configz = JSON.parse(await getRaw(`/api/v1/nodes/${env.nodeName}/proxy/configz`)) as {
      kubeletconfig: { enableSystemLogQuery?: boolean; featureGates?: Record<string, boolean> };
    };
    expect(configz.kubeletconfig.enableSystemLogQuery).toBe(true);
    expect(configz.kubeletconfig.featureGates?.NodeLogQuery).toBe(true);
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
    expect(cs?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
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

  it('ground truth on the node: containerd logged sandbox, pull, create and start for this pod', async () => {
    const containerId = pod.status.containerStatuses?.[0]?.containerID?.replace('containerd://', '') ?? '';
    const gt = await waitFor('StartContainer success in the journal', async () => {
      const r = await runtimeLogLinesFor({ namespace: ns, name: 'hello' });
      return r.lines.some((l) => l.includes(`StartContainer for \\"${containerId}\\" returns successfully`))
        ? r
        : undefined;
    });
    expect(gt.sandboxIds).toHaveLength(1);
    expect(gt.containerIds).toEqual([containerId]);
    const msgs = gt.lines.map((l) => containerdMsg(l) ?? '');
    expect(
      msgs.some((m) =>
        m.startsWith(`RunPodSandbox for &PodSandboxMetadata{Name:hello,Uid:${pod.metadata.uid},Namespace:${ns},`),
      ),
    ).toBe(true);
    expect(msgs).toContain(`PullImage "${image}"`);
    expect(msgs.some((m) => m.startsWith(`PullImage "${image}" returns image reference "sha256:`))).toBe(true);
    expect(
      msgs.some((m) =>
        m.startsWith(
          `CreateContainer within sandbox "${gt.sandboxIds[0]}" for &ContainerMetadata{Name:main,Attempt:0,} returns container id "${containerId}"`,
        ),
      ),
    ).toBe(true);
    // The file copy has the same containerd lines, without the journal prefix.
    const fromFile = await waitFor(
      'the same lines in /var/log/containerd.log',
      async () => {
        const r = await runtimeLogLinesFor({ namespace: ns, name: 'hello' }, { source: 'file' });
        return r.lines.length >= gt.lines.length ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(fromFile.lines[0]).toMatch(/^time="/);
    expect(fromFile.lines.map((l) => containerdMsg(l))).toEqual(expect.arrayContaining(msgs));
  });

  it('node proxy log query ?query=containerd&sinceTime= returns RunPodSandbox, PullImage, CreateContainer, StartContainer', async () => {
    const gt = await runtimeLogLinesFor({ namespace: ns, name: 'hello' });
    const sandboxId = gt.sandboxIds[0] ?? 'missing';
    const containerId = gt.containerIds[0] ?? 'missing';
    const body = await getRaw(nodeLogQueryPath({ query: 'containerd', sinceTime: rfc3339(since) }));
    expect(body).not.toMatch(/options present and query resolved to log files/);
    const lines = body.split('\n');
    // journald mode: "Mon DD HH:MM:SS.micro host containerd[pid]: time=… level=info msg=…"
    expect(lines[0]).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{6} \S+ containerd\[\d+\]: /);
    const has = (s: string) => lines.some((l) => l.includes(s));
    expect(
      has(
        `RunPodSandbox for &PodSandboxMetadata{Name:hello,Uid:${pod.metadata.uid},Namespace:${ns},Attempt:0,} returns sandbox id \\"${sandboxId}\\"`,
      ),
    ).toBe(true);
    expect(has(`msg="PullImage \\"${image}\\""`)).toBe(true);
    expect(has(`msg="PullImage \\"${image}\\" returns image reference`)).toBe(true);
    expect(
      has(
        `CreateContainer within sandbox \\"${sandboxId}\\" for &ContainerMetadata{Name:main,Attempt:0,} returns container id \\"${containerId}\\"`,
      ),
    ).toBe(true);
    expect(has(`StartContainer for \\"${containerId}\\" returns successfully`)).toBe(true);
    // Every ground-truth line read on the node is in the proxied answer, byte for byte.
    for (const l of gt.lines) expect(lines).toContain(l);
  });

  it('node log query options work (journald, not file fallback): pattern and tailLines', async () => {
    const containerId = (await runtimeLogLinesFor({ namespace: ns, name: 'hello' })).containerIds[0] ?? 'missing';
    const body = await getRaw(
      nodeLogQueryPath({
        query: 'containerd',
        sinceTime: rfc3339(since),
        pattern: `StartContainer for .*${containerId.slice(0, 12)}`,
      }),
    );
    const lines = body.split('\n').filter(Boolean);
    expect(lines.length).toBe(2); // "StartContainer for" and "... returns successfully"
    const tail = (await getRaw(nodeLogQueryPath({ query: 'containerd', tailLines: 3 }))).split('\n').filter(Boolean);
    expect(tail.length).toBe(3);
  });

  it('node proxy log query ?query=kubelet has the kubelet SyncLoop ADD line for the pod', async () => {
    const body = await getRaw(
      nodeLogQueryPath({ query: 'kubelet', sinceTime: rfc3339(since), pattern: 'SyncLoop ADD' }),
    );
    expect(body).toMatch(
      new RegExp(
        `kubelet\\[\\d+\\]: I\\d{4} [\\d:.]+ +\\d+ kubelet.go:\\d+\\] "SyncLoop ADD" source="api" pods=\\["${ns}/hello"\\]`,
      ),
    );
  });

  it('node proxy /logs/containerd.log returns the plain file', async () => {
    const containerId = (await runtimeLogLinesFor({ namespace: ns, name: 'hello' })).containerIds[0] ?? 'missing';
    const body = await getRaw(`/api/v1/nodes/${env.nodeName}/proxy/logs/containerd.log`);
    const lines = body.split('\n').filter(Boolean);
    expect(lines.every((l) => l.startsWith('time="'))).toBe(true);
    expect(body).toContain(`StartContainer for \\"${containerId}\\" returns successfully`);
  });
});
