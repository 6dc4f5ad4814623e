import { describe, expect, it } from 'vitest';
import type { CriRecord, KubeletRecord, LogRecord } from '../../../src/core/model.js';
import { attributeToPod, parseLogText, stripContainerIdScheme } from '../../../src/core/logs/index.js';
import { parseInstant, type Instant } from '../../../src/core/time.js';
import {
  containerMeta,
  containerdBirth,
  crioBirth,
  hexId,
  journald,
  kubeletBirth,
  logrusJson,
  logrusText,
  type FixturePod,
  type Msg,
} from './fixtures.js';

const BASE = Date.UTC(2025, 4, 28, 16, 17, 0);

function at(ms: number): string {
  const d = new Date(BASE + ms);
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds() * 1e6 + 7).padStart(9, '0')}Z`;
}

function instant(text: string): Instant {
  const i = parseInstant(text);
  if (!i) throw new Error(`bad instant ${text}`);
  return i;
}

/** Interleaves message lists round-robin and renders them as containerd text lines 10 ms apart. */
function interleave(
  lists: readonly Msg[][],
  render: (t: string, m: Msg) => string = (t, m) => logrusText(t, m.level, m.msg, m.fields),
): string {
  const out: string[] = [];
  const queues = lists.map((l) => [...l]);
  let k = 0;
  while (queues.some((q) => q.length > 0)) {
    for (const q of queues) {
      const m = q.shift();
      if (m) out.push(render(at(10 * k++), m));
    }
  }
  return out.join('\n');
}

function pod(
  tag: string,
  containers: { name: string; image: string; init?: boolean }[],
  ns = 'default',
  name = tag,
): FixturePod {
  return {
    namespace: ns,
    name,
    uid: `${hexId(`uid-${tag}`).slice(0, 8)}-0000-4000-8000-${hexId(`uid-${tag}`).slice(8, 20)}`,
    sandboxId: hexId(`sb-${tag}`),
    containers: containers.map((c) => ({ ...c, id: hexId(`ctr-${tag}-${c.name}`) })),
  };
}

function identity(p: FixturePod, extra: { containerIds?: string[]; withContainers?: boolean } = {}) {
  return {
    namespace: p.namespace,
    name: p.name,
    uid: p.uid,
    images: p.containers.map((c) => c.image),
    ...(extra.withContainers ? { containers: p.containers.map((c) => ({ name: c.name, image: c.image })) } : {}),
    ...(extra.containerIds ? { containerIds: extra.containerIds } : {}),
  };
}

function summary(records: readonly LogRecord[]): string[] {
  return records.map((r) =>
    r.type === 'cri' ? `${r.rpc}:${r.phase}:${r.container?.name ?? r.image ?? ''}` : `kubelet:${r.event}`,
  );
}

describe('attributeToPod, containerd', () => {
  const a = pod('alpha', [{ name: 'web', image: 'nginx:1.27' }]);
  const b = pod('bravo', [
    { name: 'api', image: 'quay.io/acme/api:2' },
    { name: 'cache', image: 'redis:7' },
  ]);

  it.each(['gogo', 'proto1', 'proto2'] as const)('separates two interleaved pods (%s metadata)', (style) => {
    const text = interleave([containerdBirth(a, style), containerdBirth(b, style)]);
    const { records } = parseLogText(text);
    const ra = attributeToPod(records, identity(a));
    const rb = attributeToPod(records, identity(b));
    expect(ra).toHaveLength(8);
    expect(rb).toHaveLength(14);
    expect(ra.length + rb.length).toBe(records.length);
    expect(summary(ra)).toEqual([
      'RunPodSandbox:start:',
      'RunPodSandbox:end:',
      'PullImage:start:nginx:1.27',
      'PullImage:end:nginx:1.27',
      'CreateContainer:start:web',
      'CreateContainer:end:web',
      'StartContainer:start:',
      'StartContainer:end:',
    ]);
    expect(rb.every((r) => r.type === 'cri' && (r.sandboxId === undefined || r.sandboxId === b.sandboxId))).toBe(true);
  });

  it('handles an init container, a shared image and a restart (Attempt:1) with a new container id', () => {
    const p = pod('multi', [
      { name: 'init-db', image: 'busybox:1.36', init: true },
      { name: 'web', image: 'nginx' },
      { name: 'log', image: 'docker.io/library/busybox:1.36' },
    ]);
    const restartedId = hexId('ctr-multi-web-1');
    const msgs: Msg[] = [
      ...containerdBirth(p, 'gogo'),
      {
        level: 'info',
        msg: `CreateContainer within sandbox "${p.sandboxId}" for container ${containerMeta('gogo', 'web', 1)}`,
      },
      {
        level: 'info',
        msg: `CreateContainer within sandbox "${p.sandboxId}" for ${containerMeta('gogo', 'web', 1)} returns container id "${restartedId}"`,
      },
      { level: 'info', msg: `StartContainer for "${restartedId}"` },
      { level: 'info', msg: `StartContainer for "${restartedId}" returns successfully` },
    ];
    // Another pod pulls busybox after this pod created its last busybox container: not this pod's pull.
    const other = pod('other', [{ name: 'x', image: 'busybox:1.36' }]);
    const text = [...msgs, ...containerdBirth(other, 'gogo')]
      .map((m, i) => logrusText(at(10 * i), m.level, m.msg))
      .join('\n');
    const { records } = parseLogText(text);
    const mine = attributeToPod(records, identity(p, { withContainers: true })) as CriRecord[];
    expect(
      mine
        .filter((r) => r.rpc === 'CreateContainer' && r.phase === 'end')
        .map((r) => `${r.container?.name}#${r.container?.attempt}`),
    ).toEqual(['init-db#0', 'web#0', 'log#0', 'web#1']);
    expect(mine.some((r) => r.containerId === restartedId && r.rpc === 'StartContainer' && r.phase === 'end')).toBe(
      true,
    );
    expect(mine.filter((r) => r.rpc === 'PullImage')).toHaveLength(6);
    expect(mine.every((r) => r.sandboxId === undefined || r.sandboxId === p.sandboxId)).toBe(true);
    expect(
      mine.every(
        (r) =>
          r.containerId === undefined ||
          p.containers.some((c) => c.id === r.containerId) ||
          r.containerId === restartedId,
      ),
    ).toBe(true);
  });

  it('keeps a pull of a shared image by a later pod out once the container using it was created', () => {
    const first = pod('first', [{ name: 'web', image: 'nginx:1.27' }]);
    const later = pod('later', [{ name: 'web', image: 'docker.io/library/nginx:1.27' }]);
    const text = [containerdBirth(first, 'gogo'), containerdBirth(later, 'gogo')]
      .flat()
      .map((m, i) => logrusText(at(10 * i), m.level, m.msg))
      .join('\n');
    const { records } = parseLogText(text);
    const withMapping = attributeToPod(records, identity(first, { withContainers: true })) as CriRecord[];
    expect(withMapping.filter((r) => r.rpc === 'PullImage')).toHaveLength(2);
    // Without the container→image mapping there is no upper bound: the later pod's pull is taken too.
    const withoutMapping = attributeToPod(records, identity(first)) as CriRecord[];
    expect(withoutMapping.filter((r) => r.rpc === 'PullImage')).toHaveLength(4);
    // notAfter restores the bound.
    const bounded = attributeToPod(records, identity(first), { notAfter: instant(at(60)) }) as CriRecord[];
    expect(bounded.filter((r) => r.rpc === 'PullImage')).toHaveLength(2);
    // The later pod only gets pulls from its own sandbox on.
    expect(
      (attributeToPod(records, identity(later, { withContainers: true })) as CriRecord[]).filter(
        (r) => r.rpc === 'PullImage',
      ),
    ).toHaveLength(2);
  });

  it('keeps a failing pull (no CreateContainer follows) and the sandbox failure', () => {
    const p = pod('fail', [{ name: 'web', image: 'nginx:nope' }]);
    const meta = `&PodSandboxMetadata{Name:${p.name},Uid:${p.uid},Namespace:${p.namespace},Attempt:0,}`;
    const text = [
      logrusText(at(0), 'info', `RunPodSandbox for ${meta}`),
      logrusText(at(5), 'error', `RunPodSandbox for ${meta} failed, error`, {
        error: 'failed to setup network for sandbox: cni plugin not initialized',
      }),
      logrusText(at(10), 'info', `RunPodSandbox for ${meta}`),
      logrusText(at(20), 'info', `RunPodSandbox for ${meta} returns sandbox id "${p.sandboxId}"`),
      logrusText(at(30), 'info', 'PullImage "nginx:nope"'),
      logrusText(at(40), 'error', 'PullImage "nginx:nope" failed', {
        error: 'rpc error: code = NotFound desc = not found',
      }),
    ].join('\n');
    const mine = attributeToPod(parseLogText(text).records, identity(p, { withContainers: true })) as CriRecord[];
    expect(mine.map((r) => `${r.rpc}:${r.phase}`)).toEqual([
      'RunPodSandbox:start',
      'RunPodSandbox:failed',
      'RunPodSandbox:start',
      'RunPodSandbox:end',
      'PullImage:start',
      'PullImage:failed',
    ]);
    expect(mine[5]?.error).toBe('rpc error: code = NotFound desc = not found');
  });

  it('separates two pods with the same namespace/name by UID (StatefulSet recreation)', () => {
    const old = pod('db-old', [{ name: 'db', image: 'postgres:16' }], 'data', 'db-0');
    const neu = pod('db-new', [{ name: 'db', image: 'postgres:16' }], 'data', 'db-0');
    const text = [containerdBirth(old, 'proto2'), containerdBirth(neu, 'proto2')]
      .flat()
      .map((m, i) => logrusJson(at(10 * i), m.level, m.msg))
      .join('\n');
    const { records } = parseLogText(text);
    const mine = attributeToPod(records, identity(neu, { withContainers: true })) as CriRecord[];
    expect(mine.filter((r) => r.rpc !== 'PullImage')).toHaveLength(6);
    expect(
      mine.every(
        (r) =>
          r.rpc === 'PullImage' ||
          r.sandbox?.uid === neu.uid ||
          r.sandboxId === neu.sandboxId ||
          r.containerId === neu.containers[0]?.id,
      ),
    ).toBe(true);
    expect(mine.filter((r) => r.rpc === 'PullImage')).toHaveLength(2);
  });

  it('links container ids from pod status (containerd:// scheme) when the sandbox lines are gone', () => {
    const p = pod('late', [{ name: 'web', image: 'nginx' }]);
    const id = p.containers[0]?.id ?? '';
    const text = [
      logrusText(at(0), 'info', `StartContainer for "${id}"`),
      logrusText(at(1), 'info', `StartContainer for "${id}" returns successfully`),
      logrusText(at(2), 'info', `StartContainer for "${hexId('someone-else')}"`),
    ].join('\n');
    const mine = attributeToPod(parseLogText(text).records, { ...identity(p), containerIds: [`containerd://${id}`] });
    expect(mine).toHaveLength(2);
    expect(stripContainerIdScheme(`cri-o://${id}`)).toBe(id);
  });

  it('takes kubelet lines by namespace/name, but not those naming another UID or before notBefore', () => {
    const p = pod('kube', [{ name: 'web', image: 'nginx' }]);
    const twin = { ...pod('kube-twin', [{ name: 'web', image: 'nginx' }]), name: p.name };
    const hdr = (ms: number): string => {
      const d = new Date(BASE + ms);
      const mmdd = `${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
      return `I${mmdd} ${d.toISOString().slice(11, 19)}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')}    4941 kubelet.go:2337] `;
    };
    const text = [
      ...kubeletBirth(twin).map((b, i) => hdr(i) + b),
      ...kubeletBirth(p).map((b, i) => hdr(1000 + i) + b),
    ].join('\n');
    const { records } = parseLogText(text, { referenceYear: 2025 });
    const mine = attributeToPod(records, identity(p)) as KubeletRecord[];
    // The twin's SyncLoop ADD and sandbox decision name no UID, so only notBefore can drop them.
    expect(mine.map((r) => r.event)).toEqual([
      'syncloop-add',
      'sandbox-decision',
      'syncloop-add',
      'mount-succeeded',
      'sandbox-decision',
      'pleg',
    ]);
    const bounded = attributeToPod(records, identity(p), { notBefore: instant(at(500)) }) as KubeletRecord[];
    expect(bounded.map((r) => r.event)).toEqual(['syncloop-add', 'mount-succeeded', 'sandbox-decision', 'pleg']);
  });

  it('works behind journald short-precise prefixes', () => {
    const text = interleave([containerdBirth(a, 'gogo'), containerdBirth(b, 'gogo')], (t, m) =>
      journald(`May 28 ${t.slice(11, 26)}`, 'containerd', 819, logrusText(t, m.level, m.msg)),
    );
    const { records, format } = parseLogText(text, { referenceYear: 2025 });
    expect(format).toBe('containerd-text');
    expect(attributeToPod(records, identity(a))).toHaveLength(8);
  });
});

describe('attributeToPod, CRI-O', () => {
  const a = pod('c-alpha', [{ name: 'web', image: 'nginx:1.27' }]);
  const b = pod('c-bravo', [{ name: 'api', image: 'quay.io/acme/api:2' }]);

  it('separates interleaved pods by namespace/name and request/sandbox/container ids', () => {
    const text = interleave([crioBirth(a, (k) => `r-${k}`), crioBirth(b, (k) => `r-${k}`)]);
    const { records } = parseLogText(text);
    const ra = attributeToPod(records, identity(a)) as CriRecord[];
    const rb = attributeToPod(records, identity(b)) as CriRecord[];
    expect(ra).toHaveLength(8);
    expect(rb).toHaveLength(8);
    expect(ra.find((r) => r.rpc === 'RunPodSandbox' && r.phase === 'end')?.sandbox?.uid).toBe(a.uid);
    // Without a UID, the pod is found by namespace/name alone.
    expect(attributeToPod(records, { ...identity(a), uid: null })).toHaveLength(8);
  });

  it('drops an earlier pod with the same name: by the UID that `Got pod network` supplies, or by notBefore', () => {
    const old = pod('web-old', [{ name: 'web', image: 'nginx:1.27' }], 'shop', 'web-0');
    const neu = pod('web-new', [{ name: 'web', image: 'nginx:1.27' }], 'shop', 'web-0');
    const lines = [...crioBirth(old, (k) => `r-${k}`), ...crioBirth(neu, (k) => `r-${k}`)].map((m, i) =>
      logrusText(at(10 * i), m.level, m.msg, m.fields),
    );
    const { records } = parseLogText(lines.join('\n'));
    // The old sandbox's end line names the old UID; its sandbox id then marks the old containers'
    // Started lines, their container ids the Created lines, and their request ids the Creating lines.
    const byUid = attributeToPod(records, identity(neu, { withContainers: true })) as CriRecord[];
    expect(byUid).toHaveLength(8);
    expect(byUid.every((r) => r.containerId === undefined || r.containerId === neu.containers[0]?.id)).toBe(true);
    expect(byUid.every((r) => r.sandboxId === undefined || r.sandboxId === neu.sandboxId)).toBe(true);
    // Without `Got pod network` (no UID anywhere) only notBefore can tell them apart.
    const noHint = parseLogText(lines.filter((l) => !l.includes('Got pod network')).join('\n')).records;
    expect(attributeToPod(noHint, identity(neu, { withContainers: true }))).toHaveLength(16);
    const bounded = attributeToPod(noHint, identity(neu), { notBefore: instant(at(85)) }) as CriRecord[];
    expect(bounded).toHaveLength(8);
    expect(bounded.every((r) => r.containerId === undefined || r.containerId === neu.containers[0]?.id)).toBe(true);
  });

  it('under clock skew, lines before notBefore still come in through the UID and ids', () => {
    const p = pod('skewed', [{ name: 'web', image: 'nginx:1.27' }], 'shop', 'web-1');
    const text = crioBirth(p, (k) => `r-${k}`)
      .map((m, i) => logrusText(at(10 * i), m.level, m.msg, m.fields))
      .join('\n');
    const mine = attributeToPod(parseLogText(text).records, identity(p), {
      notBefore: instant(at(10_000)),
    }) as CriRecord[];
    // Everything but the pulls, which notBefore bounds from below.
    expect(mine.map((r) => `${r.rpc}:${r.phase}`)).toEqual([
      'RunPodSandbox:start',
      'RunPodSandbox:end',
      'CreateContainer:start',
      'CreateContainer:end',
      'StartContainer:start',
      'StartContainer:end',
    ]);
  });
});
