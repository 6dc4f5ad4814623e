import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lineMutation, mutateLine } from '../../support/line-mutations.js';
import type { LogRecord } from '../../../src/core/model.js';
import {
  attributeToPod,
  createLogParser,
  detectLineFormat,
  normalizeImageRef,
  parseLogText,
} from '../../../src/core/logs/index.js';
import {
  containerMeta,
  containerdBirth,
  crioBirth,
  hexId,
  journald,
  kubeletBirth,
  logrusJson,
  logrusText,
  sandboxMeta,
  type FixturePod,
  type MetaStyle,
  type Msg,
} from './fixtures.js';

const KEY_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

function wellFormed(records: readonly LogRecord[]): void {
  for (const r of records) {
    expect(r.type === 'cri' || r.type === 'kubelet').toBe(true);
    expect(r.time.key).toMatch(KEY_RE);
    expect(['s', 'ms', 'us', 'ns']).toContain(r.time.precision);
    expect(r.raw.length).toBeLessThanOrEqual(4096);
    if (r.type === 'kubelet') expect(r.pod).toMatch(/^[^\s/]+\/[^\s/]+$/);
  }
}

// Real lines of every supported shape, as mutation seeds.
const SB = hexId('seed-sb');
const CTR = hexId('seed-ctr');
const UID = '4f0c6a5e-7b1d-4c2e-9a3f-1e2d3c4b5a69';
const SEEDS = [
  `time="2024-05-28T16:17:03.437617448Z" level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:nginx,Uid:${UID},Namespace:default,Attempt:0,} returns sandbox id \\"${SB}\\""`,
  `time="2024-05-28T16:17:03.437617448Z" level=info msg="CreateContainer within sandbox \\"${SB}\\" for name:\\"nginx\\"  attempt:1 returns container id \\"${CTR}\\""`,
  `May 28 16:17:03.437617 host containerd[819]: time="2024-05-28T16:17:03.437617448Z" level=error msg="PullImage \\"nginx:nope\\" failed" error="rpc error: code = NotFound"`,
  logrusJson(
    '2024-05-28T16:17:03.437617448Z',
    'info',
    `RunPodSandbox for ${sandboxMeta('proto1', 'nginx', UID, 'default')}`,
  ),
  logrusJson(
    '2024-05-28T16:17:05.437617448Z',
    'info',
    'Pulled image "docker.io/library/nginx:latest" with image id "sha256:a8", repo tag "docker.io/library/nginx:latest", repo digest "docker.io/library/nginx@sha256:32", size "67262123" in 1.85s',
  ),
  `time="2024-06-04 00:27:53.501046477+08:00" level=info msg="Running pod sandbox: default/example-pod-2/POD" id=4792f564-63a6-4d4c-8418-3a9ff3c8dee9 name=/runtime.v1.RuntimeService/RunPodSandbox`,
  `time="2024-06-04T00:27:53.5Z" level=info msg="Started container" PID=1 containerID=${CTR} description=default/nginx/nginx id=1 name=/runtime.v1.RuntimeService/StartContainer sandboxID=${SB}`,
  logrusJson('2024-05-28T16:17:03Z', 'info', 'Pulling image: docker.io/library/nginx:1.27', {
    id: 'r',
    name: '/runtime.v1.ImageService/PullImage',
  }),
  'I0528 16:17:02.101234    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]',
  `May 28 16:17:03.500001 node kubelet[4941]: I0528 16:17:03.500000    4941 kubelet.go:2369] "SyncLoop (PLEG): event for pod" pod="default/nginx" event={"ID":"${UID}","Type":"ContainerStarted","Data":"${CTR}"}`,
  'I0528 16:17:04.319660    4941 pod_startup_latency_tracker.go:102] "Observed pod startup duration" pod="default/nginx" podStartSLOduration=1.2 podStartE2EDuration="2.3s" podCreationTimestamp="2024-05-28 16:17:02 +0000 UTC" firstStartedPulling="0001-01-01 00:00:00 +0000 UTC" lastFinishedPulling="0001-01-01 00:00:00 +0000 UTC" observedRunningTime="2024-05-28 16:17:04.2 +0000 UTC m=+23258.2" watchObservedRunningTime="2024-05-28 16:17:04.31966 +0000 UTC m=+23258.35"',
  `I0528 16:17:02.150000    4941 operation_generator.go:721] "MountVolume.SetUp succeeded for volume \\"kube-api-access-x\\" (UniqueName: \\"kubernetes.io/projected/${UID}-x\\") pod \\"nginx\\" (UID: \\"${UID}\\") " pod="default/nginx"`,
  'I0528 16:17:03.400000    4941 event.go:376] "Event occurred" object="default/nginx" fieldPath="spec.containers{nginx}" kind="Pod" apiVersion="v1" type="Normal" reason="Pulling" message="Pulling image \\"nginx\\""',
];

const FRAGMENTS = [
  'time=',
  'level=',
  'msg=',
  '"',
  '\\',
  '\\"',
  '\\x',
  '\\u12',
  '{',
  '}',
  '[',
  ']',
  '&{',
  ':',
  ' ',
  '  ',
  '=',
  '\n',
  '\r',
  '\0',
  'I0528 ',
  '16:17:03.437617 ',
  '4941 a.go:1] ',
  'May 28 ',
  'host c[1]: ',
  '"SyncLoop ADD" ',
  'pods=',
  'RunPodSandbox for ',
  'PullImage ',
  'returns ',
  '&PodSandboxMetadata{',
  'name:',
  'Uid:',
  ',}',
  '2024-05-28T16:17:03.4Z',
  '\uFEFF',
  '\uD800',
  '😀',
];

const mutation = lineMutation(FRAGMENTS);

describe('parsers never throw', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const out = parseLogText(s);
        wellFormed(out.records);
        detectLineFormat(s);
      }),
      { numRuns: 500 },
    );
  });

  it('on strings assembled from log syntax fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), (parts) => {
        const s = parts.join('');
        const p = createLogParser();
        const recs = [...p.push(s), ...p.end()];
        wellFormed(recs);
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary mutations of real lines, streamed and as text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { maxLength: 6 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (cases) => {
          const lines = cases.map(([l, ms]) => mutateLine(l, ms));
          const p = createLogParser({ referenceYear: 2024 });
          const streamed = [...lines.flatMap((l) => p.push(l)), ...p.end()];
          wellFormed(streamed);
          const whole = parseLogText(lines.join('\n'), { referenceYear: 2024 });
          wellFormed(whole.records);
          attributeToPod(whole.records, {
            namespace: 'default',
            name: 'nginx',
            uid: UID,
            images: ['nginx'],
            containerIds: [`containerd://${CTR}`],
          });
        },
      ),
      { numRuns: 400 },
    );
  }, 30_000);

  it('parses every unmutated seed line into at least one record', () => {
    for (const l of SEEDS) {
      const kind = parseLogText(l, { referenceYear: 2024 });
      if (l.includes('Pulled image \\"'))
        expect(kind.records).toHaveLength(0); // detail line, joined later
      else expect(kind.records.length, l).toBeGreaterThan(0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Attribution: generated pods, interleaved, rendered in one format.

interface PodGen {
  readonly nsIdx: number;
  readonly nameIdx: number;
  readonly containers: number;
  readonly restart: boolean;
  readonly sandboxFails: boolean;
}

interface Generated extends FixturePod {
  readonly restartId: string | null;
}

const BASE = Date.UTC(2025, 4, 28, 16, 17, 0);

function buildPod(i: number, g: PodGen): Generated {
  return {
    namespace: ['default', 'shop'][g.nsIdx] ?? 'default',
    name: ['web-0', 'db-0', 'api'][g.nameIdx] ?? 'web-0',
    uid: `${hexId(`u${i}`).slice(0, 8)}-1111-4222-8333-${hexId(`u${i}`).slice(8, 20)}`,
    sandboxId: hexId(`sb${i}`),
    containers: Array.from({ length: g.containers }, (_, j) => ({
      name: `c${j}`,
      image: `registry.example/p${i}/c${j}:1`,
      id: hexId(`ct${i}-${j}`),
    })),
    restartId: g.restart ? hexId(`rs${i}`) : null,
  };
}

function containerdMsgs(p: Generated, g: PodGen, style: MetaStyle): Msg[] {
  const meta = sandboxMeta(style, p.name, p.uid, p.namespace);
  const failed: Msg[] = g.sandboxFails
    ? [
        { level: 'info', msg: `RunPodSandbox for ${meta}` },
        {
          level: 'error',
          msg: `RunPodSandbox for ${meta} failed, error`,
          fields: { error: 'failed to setup network: cni not ready' },
        },
      ]
    : [];
  const c0 = p.containers[0];
  const restart: Msg[] =
    p.restartId && c0
      ? [
          {
            level: 'info',
            msg: `CreateContainer within sandbox "${p.sandboxId}" for container ${containerMeta(style, c0.name, 1)}`,
          },
          {
            level: 'info',
            msg: `CreateContainer within sandbox "${p.sandboxId}" for ${containerMeta(style, c0.name, 1)} returns container id "${p.restartId}"`,
          },
          { level: 'info', msg: `StartContainer for "${p.restartId}"` },
          { level: 'info', msg: `StartContainer for "${p.restartId}" returns successfully` },
          { level: 'info', msg: `StopContainer for "${c0.id}" with timeout 30 (s)` },
          { level: 'info', msg: `RemoveContainer for "${c0.id}" returns successfully` },
        ]
      : [];
  return [
    ...failed,
    ...containerdBirth(p, style),
    ...restart,
    { level: 'info', msg: `StopPodSandbox for "${p.sandboxId}"` },
  ];
}

function crioMsgs(p: Generated, i: number): Msg[] {
  const req = (k: string): string =>
    `${hexId(`req${i}-${k}`).slice(0, 8)}-aaaa-4bbb-8ccc-${hexId(`req${i}-${k}`).slice(8, 20)}`;
  const c0 = p.containers[0];
  const restart: Msg[] =
    p.restartId && c0
      ? [
          {
            level: 'info',
            msg: `Creating container: ${p.namespace}/${p.name}/${c0.name}`,
            fields: { id: req('rc'), name: '/runtime.v1.RuntimeService/CreateContainer' },
          },
          {
            level: 'info',
            msg: `Created container ${p.restartId}: ${p.namespace}/${p.name}/${c0.name}`,
            fields: { id: req('rc'), name: '/runtime.v1.RuntimeService/CreateContainer' },
          },
          {
            level: 'info',
            msg: `Starting container: ${p.restartId}`,
            fields: { id: req('rs'), name: '/runtime.v1.RuntimeService/StartContainer' },
          },
          {
            level: 'info',
            msg: 'Started container',
            fields: {
              PID: '9',
              containerID: p.restartId,
              description: `${p.namespace}/${p.name}/${c0.name}`,
              id: req('rs'),
              name: '/runtime.v1.RuntimeService/StartContainer',
              sandboxID: p.sandboxId,
            },
          },
          {
            level: 'info',
            msg: `Removing container: ${c0.id}`,
            fields: { id: req('rm'), name: '/runtime.v1.RuntimeService/RemoveContainer' },
          },
        ]
      : [];
  return [
    ...crioBirth(p, req),
    ...restart,
    {
      level: 'info',
      msg: `Stopping pod sandbox: ${p.sandboxId}`,
      fields: { id: req('stop'), name: '/runtime.v1.RuntimeService/StopPodSandbox' },
    },
  ];
}

type Render = 'text' | 'json' | 'journald';

function renderAt(k: number, m: Msg | string, render: Render): string {
  const d = new Date(BASE + k);
  const iso = `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds() * 1e6 + 123).padStart(9, '0')}Z`;
  if (typeof m === 'string') {
    const hdr = `I0528 ${iso.slice(11, 26)}    4941 kubelet.go:2337] `;
    return render === 'journald' ? journald(`May 28 ${iso.slice(11, 26)}`, 'kubelet', 4941, hdr + m) : hdr + m;
  }
  if (render === 'json') return logrusJson(iso, m.level, m.msg, m.fields);
  const text = logrusText(iso, m.level, m.msg, m.fields);
  return render === 'journald' ? journald(`May 28 ${iso.slice(11, 26)}`, 'containerd', 819, text) : text;
}

const scenario = fc.record({
  runtime: fc.constantFrom('containerd' as const, 'cri-o' as const),
  style: fc.constantFrom<MetaStyle>('gogo', 'proto1', 'proto2'),
  render: fc.constantFrom<Render>('text', 'json', 'journald'),
  kubelet: fc.boolean(),
  pods: fc.array(
    fc.record({
      nsIdx: fc.integer({ min: 0, max: 1 }),
      nameIdx: fc.integer({ min: 0, max: 2 }),
      containers: fc.integer({ min: 1, max: 3 }),
      restart: fc.boolean(),
      sandboxFails: fc.boolean(),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  choices: fc.array(fc.nat(), { minLength: 0, maxLength: 120 }),
});

describe('attribution never crosses pods', () => {
  it('returns only records whose sandbox, container, request and image belong to the pod, and all of them', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const pods = sc.pods.map((g, i) => buildPod(i, g));
        const queues: (Msg | string)[][] = pods.map((p, i) => {
          const g = sc.pods[i] as PodGen;
          const rt: (Msg | string)[] = sc.runtime === 'containerd' ? containerdMsgs(p, g, sc.style) : crioMsgs(p, i);
          return sc.kubelet ? [...kubeletBirth(p).slice(0, 3), ...rt, ...kubeletBirth(p).slice(3)] : rt;
        });
        // Interleave the pods' lines in a generated order, preserving each pod's own order.
        const lines: string[] = [];
        let k = 0;
        let c = 0;
        for (;;) {
          const open = queues.filter((q) => q.length > 0);
          if (open.length === 0) break;
          const q = open[(sc.choices[c++ % Math.max(1, sc.choices.length)] ?? 0) % open.length] as (Msg | string)[];
          lines.push(renderAt(k++, q.shift() as Msg | string, sc.render));
        }
        const { records } = parseLogText(lines.join('\n'), { referenceYear: 2025 });
        wellFormed(records);

        const uniqueNames = new Set(pods.map((p) => `${p.namespace}/${p.name}`)).size === pods.length;
        let attributedCri = 0;
        for (const p of pods) {
          const containerIds = new Set([...p.containers.map((x) => x.id), ...(p.restartId ? [p.restartId] : [])]);
          const images = new Set(p.containers.map((x) => normalizeImageRef(x.image)));
          const mine = attributeToPod(records, {
            namespace: p.namespace,
            name: p.name,
            uid: p.uid,
            images: p.containers.map((x) => x.image),
            containers: p.containers.map((x) => ({ name: x.name, image: x.image })),
          });
          for (const r of mine) {
            if (r.type === 'kubelet') {
              expect(r.pod).toBe(`${p.namespace}/${p.name}`);
              continue;
            }
            attributedCri++;
            if (r.sandbox?.uid) expect(r.sandbox.uid).toBe(p.uid);
            if (r.sandbox?.name) expect(`${r.sandbox.namespace}/${r.sandbox.name}`).toBe(`${p.namespace}/${p.name}`);
            if (r.sandboxId) expect(r.sandboxId).toBe(p.sandboxId);
            if (r.containerId) expect(containerIds.has(r.containerId)).toBe(true);
            if (r.rpc === 'PullImage') expect(r.image && images.has(normalizeImageRef(r.image))).toBe(true);
          }
          if (uniqueNames && sc.kubelet) {
            expect(mine.filter((r) => r.type === 'kubelet')).toHaveLength(kubeletBirth(p).length);
          }
        }
        // Every CRI record was attributed to exactly one pod (nothing lost, nothing shared).
        expect(attributedCri).toBe(records.filter((r) => r.type === 'cri').length);
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
