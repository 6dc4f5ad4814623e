import { describe, expect, it } from 'vitest';
import type { CriRecord } from '../../../src/core/model.js';
import { parseLogText, detectLineFormat, type CriRecordWithPull } from '../../../src/core/logs/index.js';
import { containerMeta, logrusJson, logrusText, sandboxMeta } from './fixtures.js';

const SB = '503b9bd63f4d1b2cd6d0e1a8f3a4c9a2e5d8f7b6c4a3e2d1f0e9d8c7b6a5f4e3';
const CTR = 'bd9ce532fac8e1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382716f5e4';
const UID = '4f0c6a5e-7b1d-4c2e-9a3f-1e2d3c4b5a69';

function cri(text: string): CriRecord[] {
  return parseLogText(text).records.filter((r): r is CriRecord => r.type === 'cri');
}

describe('containerd 1.6 text, as recorded on this machine (a CRI smoke run: sandbox, pull, create, start, stop)', () => {
  // The lines of that run (what containerd 1.6 logs: docs/local-cluster.md), written down without the time field:
  // a time is added here, and the ids are given in full.
  const lines = [
    `time="2026-11-23T08:24:46.101000001Z" level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:smoke,Uid:uid-1795422287252,Namespace:default,Attempt:0,}"`,
    `time="2026-11-23T08:24:46.402000002Z" level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:smoke,Uid:uid-1795422287252,Namespace:default,Attempt:0,} returns sandbox id \\"${SB}\\""`,
    `time="2026-11-23T08:24:46.500000003Z" level=info msg="PullImage \\"docker.io/library/busybox:1.35\\""`,
    `time="2026-11-23T08:24:47.100000004Z" level=info msg="ImageCreate event &ImageCreate{Name:docker.io/library/busybox:1.35,Labels:map[string]string{io.cri-containerd.image: managed,},}"`,
    `time="2026-11-23T08:24:47.200000005Z" level=info msg="PullImage \\"docker.io/library/busybox:1.35\\" returns image reference \\"sha256:e64e8b12ffa1\\""`,
    `time="2026-11-23T08:24:47.300000006Z" level=info msg="CreateContainer within sandbox \\"${SB}\\" for container &ContainerMetadata{Name:main,Attempt:0,}"`,
    `time="2026-11-23T08:24:47.400000007Z" level=info msg="CreateContainer within sandbox \\"${SB}\\" for &ContainerMetadata{Name:main,Attempt:0,} returns container id \\"${CTR}\\""`,
    `time="2026-11-23T08:24:47.500000008Z" level=info msg="StartContainer for \\"${CTR}\\""`,
    `time="2026-11-23T08:24:47.526000009Z" level=info msg="StartContainer for \\"${CTR}\\" returns successfully"`,
    `time="2026-11-23T08:24:48.000000010Z" level=info msg="StopPodSandbox for \\"${SB}\\""`,
    `time="2026-11-23T08:24:48.100000011Z" level=info msg="TearDown network for sandbox \\"${SB}\\" successfully"`,
  ].join('\n');

  it('parses every RPC line into a record with ns precision', () => {
    const out = parseLogText(lines);
    expect(out.format).toBe('containerd-text');
    expect(out.skipped).toBe(2); // ImageCreate event, TearDown network
    const recs = out.records as CriRecord[];
    expect(recs.map((r) => `${r.rpc}:${r.phase}`)).toEqual([
      'RunPodSandbox:start',
      'RunPodSandbox:end',
      'PullImage:start',
      'PullImage:end',
      'CreateContainer:start',
      'CreateContainer:end',
      'StartContainer:start',
      'StartContainer:end',
      'StopPodSandbox:start',
    ]);
    expect(recs[0]).toMatchObject({
      type: 'cri',
      runtime: 'containerd',
      time: { key: '2026-11-23T08:24:46.101000001Z', precision: 'ns' },
      sandbox: { name: 'smoke', uid: 'uid-1795422287252', namespace: 'default', attempt: 0 },
    });
    expect(recs[1]).toMatchObject({ sandboxId: SB });
    expect(recs[2]).toMatchObject({ image: 'docker.io/library/busybox:1.35' });
    expect(recs[3]).toMatchObject({ image: 'docker.io/library/busybox:1.35', imageRef: 'sha256:e64e8b12ffa1' });
    expect(recs[3]).not.toHaveProperty('pull'); // 1.6 logs no `Pulled image … in …`
    expect(recs[4]).toMatchObject({ sandboxId: SB, container: { name: 'main', attempt: 0 } });
    expect(recs[4]).not.toHaveProperty('containerId');
    expect(recs[5]).toMatchObject({ sandboxId: SB, containerId: CTR, container: { name: 'main', attempt: 0 } });
    expect(recs[6]).toMatchObject({ containerId: CTR });
    expect(recs[8]).toMatchObject({ sandboxId: SB });
    expect(recs[0]?.raw).toBe(lines.split('\n')[0]);
  });

  it('skips the recorded lines as printed without a time, but reads them behind journald', () => {
    const bare =
      'level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:smoke,Uid:uid-1795422287252,Namespace:default,Attempt:0,}"';
    expect(parseLogText(bare).records).toEqual([]);
    const wrapped = parseLogText(`Nov 23 08:24:46.101000 vm containerd[819]: ${bare}`, { referenceYear: 2026 });
    expect(wrapped.records).toHaveLength(1);
    expect(wrapped.records[0]?.time).toEqual({ key: '2026-11-23T08:24:46.101000000Z', precision: 'us' });
  });
});

describe('metadata renderings', () => {
  it.each([
    ['gogo', 'gogo' as const],
    ['prototext, one space', 'proto1' as const],
    ['prototext, two spaces', 'proto2' as const],
  ])('%s', (_label, style) => {
    const t = '2025-10-01T10:00:00.000000001Z';
    const text = [
      logrusText(t, 'info', `RunPodSandbox for ${sandboxMeta(style, 'web', UID, 'shop')}`),
      logrusText(
        t,
        'info',
        `RunPodSandbox for ${sandboxMeta(style, 'web', UID, 'shop', 2)} returns sandbox id "${SB}"`,
      ),
      logrusText(t, 'info', `CreateContainer within sandbox "${SB}" for container ${containerMeta(style, 'app')}`),
      logrusText(
        t,
        'info',
        `CreateContainer within sandbox "${SB}" for ${containerMeta(style, 'app', 1)} returns container id "${CTR}"`,
      ),
    ].join('\n');
    const recs = cri(text);
    expect(recs).toHaveLength(4);
    expect(recs[0]?.sandbox).toMatchObject({ name: 'web', uid: UID, namespace: 'shop' });
    expect(recs[1]?.sandbox).toMatchObject({ name: 'web', uid: UID, namespace: 'shop', attempt: 2 });
    expect(recs[2]?.container).toEqual({ name: 'app', attempt: 0 }); // prototext omits attempt:0
    expect(recs[3]?.container).toEqual({ name: 'app', attempt: 1 });
    expect(recs[3]?.containerId).toBe(CTR);
  });

  it('prototext omits attempt:0 entirely (no attempt key on the sandbox)', () => {
    const recs = cri(
      logrusText(
        '2025-10-01T10:00:00.000000001Z',
        'info',
        `RunPodSandbox for ${sandboxMeta('proto2', 'web', UID, 'shop')}`,
      ),
    );
    expect(recs[0]?.sandbox).toEqual({ name: 'web', uid: UID, namespace: 'shop' });
  });
});

describe('containerd 1.7 JSON', () => {
  const t = (n: number): string => `2024-05-28T16:17:0${n}.437617448Z`;
  const meta = sandboxMeta('gogo', 'nginx', UID, 'default');
  const text = [
    logrusJson(t(1), 'info', `RunPodSandbox for ${meta}`),
    logrusJson(t(2), 'info', `RunPodSandbox for ${meta} returns sandbox id "${SB}"`),
    logrusJson(t(3), 'info', 'PullImage "nginx:latest"'),
    logrusJson(
      t(5),
      'info',
      'Pulled image "docker.io/library/nginx:latest" with image id "sha256:a8758716bb6a", repo tag "docker.io/library/nginx:latest", repo digest "docker.io/library/nginx@sha256:32e76d4f34f8", size "67262123" in 1.851234567s',
    ),
    logrusJson(t(5), 'info', 'PullImage "nginx:latest" returns image reference "sha256:a8758716bb6a"'),
  ].join('\n');

  it('uses the JSON encoding with \\u0026 escapes, and attaches the Pulled detail to the pull end', () => {
    expect(text).toContain('\\u0026PodSandboxMetadata');
    const out = parseLogText(text);
    expect(out.format).toBe('containerd-json');
    expect(out.records).toHaveLength(4);
    const end = out.records[3] as CriRecordWithPull;
    expect(end).toMatchObject({
      rpc: 'PullImage',
      phase: 'end',
      image: 'nginx:latest',
      imageRef: 'sha256:a8758716bb6a',
    });
    expect(end.pull).toEqual({
      ref: 'docker.io/library/nginx:latest',
      imageId: 'sha256:a8758716bb6a',
      repoTag: 'docker.io/library/nginx:latest',
      repoDigest: 'docker.io/library/nginx@sha256:32e76d4f34f8',
      sizeBytes: 67262123,
      durationMs: expect.closeTo(1851.234567, 6),
    });
    expect(detectLineFormat(text.split('\n')[0] ?? '')).toBe('containerd-json');
  });
});

describe('failures', () => {
  it('RunPodSandbox … failed, error with an error= field (text)', () => {
    const line = `time="2024-05-28T16:17:03.437617448Z" level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:nginx,Uid:${UID},Namespace:default,Attempt:0,} failed, error" error="failed to setup network for sandbox \\"${SB}\\": plugin type=\\"calico\\" failed (add): stat /var/lib/calico/nodename: no such file or directory"`;
    const [r] = cri(line);
    expect(r).toMatchObject({
      rpc: 'RunPodSandbox',
      phase: 'failed',
      sandbox: { name: 'nginx', uid: UID, namespace: 'default', attempt: 0 },
      error: `failed to setup network for sandbox "${SB}": plugin type="calico" failed (add): stat /var/lib/calico/nodename: no such file or directory`,
    });
  });

  it('PullImage "x" failed with an error field (text and JSON)', () => {
    const err =
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found';
    const text = logrusText('2024-05-28T16:17:03.437617448Z', 'error', 'PullImage "nginx:nope" failed', { error: err });
    const json = logrusJson('2024-05-28T16:17:03.437617448Z', 'error', 'PullImage "nginx:nope" failed', { error: err });
    for (const l of [text, json]) {
      expect(cri(l)[0]).toMatchObject({ rpc: 'PullImage', phase: 'failed', image: 'nginx:nope', error: err });
    }
  });

  it('CreateContainer and StartContainer failures', () => {
    const t = '2024-05-28T16:17:03.437617448Z';
    const recs = cri(
      [
        logrusText(
          t,
          'error',
          `CreateContainer within sandbox "${SB}" for &ContainerMetadata{Name:app,Attempt:3,} failed`,
          { error: 'failed to create containerd container: x' },
        ),
        logrusText(t, 'error', `StartContainer for "${CTR}" failed`, {
          error: 'failed to create containerd task: OCI runtime create failed',
        }),
      ].join('\n'),
    );
    expect(recs[0]).toMatchObject({
      rpc: 'CreateContainer',
      phase: 'failed',
      sandboxId: SB,
      container: { name: 'app', attempt: 3 },
      error: 'failed to create containerd container: x',
    });
    expect(recs[1]).toMatchObject({
      rpc: 'StartContainer',
      phase: 'failed',
      containerId: CTR,
      error: 'failed to create containerd task: OCI runtime create failed',
    });
  });
});

describe('Stop / Remove', () => {
  it('covers every variant, including 2.x `RemovePodSandbox "<id>" returns successfully`', () => {
    const t = '2025-01-01T00:00:00.000000000Z';
    const msgs = [
      `StopContainer for "${CTR}" with timeout 30 (s)`,
      `StopContainer for "${CTR}" returns successfully`,
      `RemoveContainer for "${CTR}"`,
      `RemoveContainer for "${CTR}" returns successfully`,
      `StopPodSandbox for "${SB}"`,
      `StopPodSandbox for "${SB}" returns successfully`,
      `RemovePodSandbox for "${SB}"`,
      `RemovePodSandbox "${SB}" returns successfully`,
      `RemovePodSandbox for "${SB}" returns successfully`,
    ];
    const recs = cri(msgs.map((m) => logrusText(t, 'info', m)).join('\n'));
    expect(recs.map((r) => `${r.rpc}:${r.phase}:${r.containerId ?? r.sandboxId}`)).toEqual([
      `StopContainer:start:${CTR}`,
      `StopContainer:end:${CTR}`,
      `RemoveContainer:start:${CTR}`,
      `RemoveContainer:end:${CTR}`,
      `StopPodSandbox:start:${SB}`,
      `StopPodSandbox:end:${SB}`,
      `RemovePodSandbox:start:${SB}`,
      `RemovePodSandbox:end:${SB}`,
      `RemovePodSandbox:end:${SB}`,
    ]);
  });
});

describe('containerd behind journald', () => {
  it('uses the inner ns time, not the journald µs time', () => {
    const line = `May 28 16:17:03.437618 ip-10-0-1-23 containerd[819]: time="2024-05-28T16:17:03.437617448Z" level=info msg="StartContainer for \\"${CTR}\\""`;
    const r = parseLogText(line).records[0];
    expect(r?.time).toEqual({ key: '2024-05-28T16:17:03.437617448Z', precision: 'ns' });
    expect(r?.raw).toBe(line);
  });

  it('reads plain syslog and microk8s identifiers', () => {
    const text = [
      `May 28 16:17:03 host containerd[819]: time="2024-05-28T16:17:03.437617448Z" level=info msg="StartContainer for \\"${CTR}\\""`,
      `May 28 16:17:03 host microk8s.daemon-containerd[2211]: time="2024-05-28T16:17:03.537617448Z" level=info msg="StartContainer for \\"${CTR}\\" returns successfully"`,
    ].join('\n');
    expect(parseLogText(text).records.map((r) => r.time.key)).toEqual([
      '2024-05-28T16:17:03.437617448Z',
      '2024-05-28T16:17:03.537617448Z',
    ]);
  });

  it('converts a local-offset inner time to UTC', () => {
    const line = `time="2024-05-28T18:17:03.437617448+02:00" level=info msg="StartContainer for \\"${CTR}\\""`;
    expect(parseLogText(line).records[0]?.time.key).toBe('2024-05-28T16:17:03.437617448Z');
  });
});
