import { describe, expect, it } from 'vitest';
import type { CriRecord } from '../../../src/core/model.js';
import { parseLogText } from '../../../src/core/logs/index.js';
import { crioBirth, hexId, logrusJson, logrusText, type FixturePod } from './fixtures.js';

const SB = hexId('crio-sb');
const CTR = hexId('crio-ctr');
const REQ = '4792f564-63a6-4d4c-8418-3a9ff3c8dee9';

function cri(text: string): CriRecord[] {
  return parseLogText(text).records.filter((r): r is CriRecord => r.type === 'cri');
}

describe('CRI-O text', () => {
  it('reads the journald shape seen in the wild (space-separated time with offset, id= and name=)', () => {
    const line = `Jun 04 00:27:53 10-202-91-13 crio[883769]: time="2024-06-04 00:27:53.501046477+08:00" level=info msg="Running pod sandbox: default/example-pod-2/POD" id=${REQ} name=/runtime.v1.RuntimeService/RunPodSandbox`;
    const out = parseLogText(line);
    expect(out.format).toBe('crio-text');
    expect(out.records[0]).toMatchObject({
      type: 'cri',
      runtime: 'cri-o',
      rpc: 'RunPodSandbox',
      phase: 'start',
      sandbox: { namespace: 'default', name: 'example-pod-2' },
      requestId: REQ,
      time: { key: '2024-06-03T16:27:53.501046477Z', precision: 'ns' },
    });
  });

  it('reads a localised journal prefix by finding the body after ": "', () => {
    const line = `6月 04 00:27:53 10-202-91-13 crio[883769]: time="2024-06-04 00:27:53.501046477+08:00" level=info msg="Running pod sandbox: default/example-pod-2/POD" id=${REQ} name=/runtime.v1.RuntimeService/RunPodSandbox`;
    expect(cri(line)[0]).toMatchObject({ rpc: 'RunPodSandbox', sandbox: { name: 'example-pod-2' } });
  });

  it('takes precision from the RFC3339Nano fraction length', () => {
    const mk = (t: string): string =>
      logrusText(t, 'info', `Starting container: ${CTR}`, {
        id: REQ,
        name: '/runtime.v1.RuntimeService/StartContainer',
      });
    const recs = cri(
      [
        mk('2024-05-28T16:17:03.4376174Z'),
        mk('2024-05-28T16:17:03.43Z'),
        mk('2024-05-28T16:17:03Z'),
        mk('2024-05-28T16:17:03.437617448Z'),
      ].join('\n'),
    );
    expect(recs.map((r) => [r.time.key, r.time.precision])).toEqual([
      ['2024-05-28T16:17:03.437617400Z', 'ns'],
      ['2024-05-28T16:17:03.430000000Z', 'ms'],
      ['2024-05-28T16:17:03.000000000Z', 's'],
      ['2024-05-28T16:17:03.437617448Z', 'ns'],
    ]);
  });

  it('parses a whole birth and joins start/end lines by request id', () => {
    const pod: FixturePod = {
      namespace: 'shop',
      name: 'web-0',
      uid: '8e982543-02c2-4da2-b9d8-299b9179752b',
      sandboxId: SB,
      containers: [{ name: 'app', image: 'quay.io/acme/app:1.2', id: CTR }],
    };
    let n = 0;
    const text = crioBirth(pod, (k) => `req-${k}`)
      .map((m) => logrusText(`2024-05-28T16:17:0${n++}.5Z`, m.level, m.msg, m.fields))
      .join('\n');
    const out = parseLogText(text);
    expect(out.format).toBe('crio-text');
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
    ]);
    // `Got pod network` gives the UID that CRI-O's sandbox lines lack.
    expect(recs[1]).toMatchObject({
      sandboxId: SB,
      sandbox: { namespace: 'shop', name: 'web-0', uid: pod.uid },
      requestId: `req-${pod.uid}-run`,
    });
    // `Pulled image: <ref>` does not repeat the image; it comes from the `Pulling image:` line.
    expect(recs[3]).toMatchObject({
      image: 'quay.io/acme/app:1.2',
      imageRef: expect.stringMatching(/^quay\.io\/acme\/app@sha256:/),
    });
    expect(recs[4]).toMatchObject({
      sandbox: { namespace: 'shop', name: 'web-0' },
      container: { name: 'app', attempt: 0 },
    });
    expect(recs[5]).toMatchObject({ containerId: CTR, container: { name: 'app' } });
    expect(recs[6]).toMatchObject({ containerId: CTR });
    expect(recs[7]).toMatchObject({ containerId: CTR, sandboxId: SB, container: { name: 'app' } });
    expect(out.skipped).toBe(1); // the Got pod network line itself
  });

  it('parses stop and remove lines', () => {
    const t = '2024-05-28T16:17:03.1Z';
    const f = { id: REQ, name: '/runtime.v1.RuntimeService/X' };
    const recs = cri(
      [
        `Stopping container: ${CTR} (timeout: 30s)`,
        `Stopped container ${CTR}: shop/web-0/app`,
        `Removing container: ${CTR}`,
        `Removed container ${CTR}: shop/web-0/app`,
        `Stopping pod sandbox: ${SB}`,
        `Stopped pod sandbox: ${SB}`,
        `Stopped pod sandbox (already stopped): ${SB}`,
        `Removing pod sandbox: ${SB}`,
        `Removed pod sandbox: ${SB}`,
      ]
        .map((m) => logrusText(t, 'info', m, f))
        .join('\n'),
    );
    expect(recs.map((r) => `${r.rpc}:${r.phase}:${r.containerId ?? r.sandboxId}`)).toEqual([
      `StopContainer:start:${CTR}`,
      `StopContainer:end:${CTR}`,
      `RemoveContainer:start:${CTR}`,
      `RemoveContainer:end:${CTR}`,
      `StopPodSandbox:start:${SB}`,
      `StopPodSandbox:end:${SB}`,
      `StopPodSandbox:end:${SB}`,
      `RemovePodSandbox:start:${SB}`,
      `RemovePodSandbox:end:${SB}`,
    ]);
  });
});

describe('CRI-O JSON', () => {
  it('reads second-precision JSON lines', () => {
    const text = [
      logrusJson('2024-05-28T16:17:03Z', 'info', 'Pulling image: docker.io/library/nginx:1.27', {
        id: REQ,
        name: '/runtime.v1.ImageService/PullImage',
      }),
      logrusJson('2024-05-28T16:17:05Z', 'info', 'Pulled image: docker.io/library/nginx@sha256:32e76d4f34f8', {
        id: REQ,
        name: '/runtime.v1.ImageService/PullImage',
      }),
    ].join('\n');
    const out = parseLogText(text);
    expect(out.format).toBe('crio-json');
    expect(out.records).toHaveLength(2);
    expect(out.records[1]).toMatchObject({
      runtime: 'cri-o',
      rpc: 'PullImage',
      phase: 'end',
      image: 'docker.io/library/nginx:1.27',
      imageRef: 'docker.io/library/nginx@sha256:32e76d4f34f8',
      time: { key: '2024-05-28T16:17:05.000000000Z', precision: 's' },
    });
  });
});
