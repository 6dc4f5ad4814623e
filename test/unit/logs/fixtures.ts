// Line builders in the exact shapes the runtimes print. Messages are built once and then rendered as
// logrus text, logrus JSON, or behind a journald prefix.

export type MetaStyle = 'gogo' | 'proto1' | 'proto2';

/** Go's %q for the ASCII text used here (identical to JSON string escaping for it). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

export function logrusText(
  time: string | null,
  level: string,
  msg: string,
  fields: Record<string, string> = {},
): string {
  const parts: string[] = [];
  if (time !== null) parts.push(`time=${goQuote(time)}`);
  parts.push(`level=${level}`, `msg=${goQuote(msg)}`);
  for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${/^[A-Za-z0-9\-._/@^+]+$/.test(v) ? v : goQuote(v)}`);
  return parts.join(' ');
}

/** logrus' JSONFormatter: keys sorted, HTML characters escaped as Go's encoder does. */
export function logrusJson(time: string, level: string, msg: string, fields: Record<string, string> = {}): string {
  const o: Record<string, string> = { ...fields, level, msg, time };
  const sorted = Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
  return JSON.stringify(sorted).replace(/&/g, '\\u0026').replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

export function journald(shortPreciseTime: string, ident: string, pid: number, body: string, host = 'node-1'): string {
  return `${shortPreciseTime} ${host} ${ident}[${pid}]: ${body}`;
}

export function sandboxMeta(style: MetaStyle, name: string, uid: string, ns: string, attempt = 0): string {
  if (style === 'gogo') return `&PodSandboxMetadata{Name:${name},Uid:${uid},Namespace:${ns},Attempt:${attempt},}`;
  const sep = style === 'proto1' ? ' ' : '  ';
  return [`name:"${name}"`, `uid:"${uid}"`, `namespace:"${ns}"`, ...(attempt ? [`attempt:${attempt}`] : [])].join(sep);
}

export function containerMeta(style: MetaStyle, name: string, attempt = 0): string {
  if (style === 'gogo') return `&ContainerMetadata{Name:${name},Attempt:${attempt},}`;
  const sep = style === 'proto1' ? ' ' : '  ';
  return [`name:"${name}"`, ...(attempt ? [`attempt:${attempt}`] : [])].join(sep);
}

export function hexId(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  while (out.length < 64) {
    for (const ch of seed + out.length) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

export interface FixtureContainer {
  readonly name: string;
  readonly image: string;
  readonly id: string;
  readonly init?: boolean;
}

export interface FixturePod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly sandboxId: string;
  readonly containers: readonly FixtureContainer[];
}

/** One message with its level and extra logrus fields, before a time is attached. */
export interface Msg {
  readonly level: string;
  readonly msg: string;
  readonly fields?: Record<string, string>;
}

/** The containerd CRI lines of one pod's birth: sandbox, then per container pull → create → start. */
export function containerdBirth(
  p: FixturePod,
  style: MetaStyle,
  opts: { attempt?: number; imageRefFor?: (image: string) => string } = {},
): Msg[] {
  const attempt = opts.attempt ?? 0;
  const meta = sandboxMeta(style, p.name, p.uid, p.namespace, 0);
  const out: Msg[] = [
    { level: 'info', msg: `RunPodSandbox for ${meta}` },
    { level: 'info', msg: `RunPodSandbox for ${meta} returns sandbox id "${p.sandboxId}"` },
  ];
  for (const c of p.containers) {
    const ref = opts.imageRefFor?.(c.image) ?? `sha256:${hexId(`img-${c.image}`)}`;
    out.push({ level: 'info', msg: `PullImage "${c.image}"` });
    out.push({ level: 'info', msg: `PullImage "${c.image}" returns image reference "${ref}"` });
    const cm = containerMeta(style, c.name, attempt);
    out.push({ level: 'info', msg: `CreateContainer within sandbox "${p.sandboxId}" for container ${cm}` });
    out.push({
      level: 'info',
      msg: `CreateContainer within sandbox "${p.sandboxId}" for ${cm} returns container id "${c.id}"`,
    });
    out.push({ level: 'info', msg: `StartContainer for "${c.id}"` });
    out.push({ level: 'info', msg: `StartContainer for "${c.id}" returns successfully` });
  }
  return out;
}

/** The CRI-O lines of one pod's birth, each RPC with its own request id. */
export function crioBirth(p: FixturePod, reqId: (k: string) => string): Msg[] {
  const rs = (k: string, method: string): Record<string, string> => ({ id: reqId(k), name: `/runtime.v1.${method}` });
  const run = rs(`${p.uid}-run`, 'RuntimeService/RunPodSandbox');
  const out: Msg[] = [
    { level: 'info', msg: `Running pod sandbox: ${p.namespace}/${p.name}/POD`, fields: run },
    {
      level: 'info',
      msg: `Got pod network &{Name:${p.name} Namespace:${p.namespace} ID:${p.sandboxId} UID:${p.uid} NetNS:/var/run/netns/x Networks:[] RuntimeConfig:map[] Aliases:map[]}`,
      fields: run,
    },
    {
      level: 'info',
      msg: `Ran pod sandbox ${p.sandboxId} with infra container: ${p.namespace}/${p.name}/POD`,
      fields: run,
    },
  ];
  for (const c of p.containers) {
    const pull = rs(`${c.id}-pull`, 'ImageService/PullImage');
    out.push({ level: 'info', msg: `Pulling image: ${c.image}`, fields: pull });
    out.push({
      level: 'info',
      msg: `Pulled image: ${c.image.split(':')[0]}@sha256:${hexId(`d-${c.image}`)}`,
      fields: pull,
    });
    const create = rs(`${c.id}-create`, 'RuntimeService/CreateContainer');
    out.push({ level: 'info', msg: `Creating container: ${p.namespace}/${p.name}/${c.name}`, fields: create });
    out.push({ level: 'info', msg: `Created container ${c.id}: ${p.namespace}/${p.name}/${c.name}`, fields: create });
    const start = rs(`${c.id}-start`, 'RuntimeService/StartContainer');
    out.push({ level: 'info', msg: `Starting container: ${c.id}`, fields: start });
    out.push({
      level: 'info',
      msg: 'Started container',
      fields: {
        PID: '4242',
        containerID: c.id,
        description: `${p.namespace}/${p.name}/${c.name}`,
        ...start,
        sandboxID: p.sandboxId,
      },
    });
  }
  return out;
}

/** The kubelet klog messages of one pod's birth (body after the header). */
export function kubeletBirth(p: FixturePod): string[] {
  const key = `${p.namespace}/${p.name}`;
  const first = p.containers[0];
  return [
    `"SyncLoop ADD" source="api" pods=["${key}"]`,
    `"MountVolume.SetUp succeeded for volume \\"kube-api-access-x\\" (UniqueName: \\"kubernetes.io/projected/${p.uid}-kube-api-access-x\\") pod \\"${p.name}\\" (UID: \\"${p.uid}\\") " pod="${key}"`,
    `"No sandbox for pod can be found. Need to start a new one" pod="${key}"`,
    ...(first
      ? [
          `"SyncLoop (PLEG): event for pod" pod="${key}" event={"ID":"${p.uid}","Type":"ContainerStarted","Data":"${first.id}"}`,
        ]
      : []),
  ];
}

export function klogHeader(time: string, file = 'kubelet.go:2337', pid = 4941): string {
  // time: `MMDD HH:MM:SS.uuuuuu`
  return `I${time}    ${pid} ${file}] `;
}

/** `2024-05-28T16:17:03.437617448Z` from a millisecond offset, always 9 digits as containerd prints. */
export function nsTime(baseMs: number, offsetMs: number, extraNs = 0): string {
  const d = new Date(baseMs + offsetMs);
  const ns = String(d.getUTCMilliseconds() * 1_000_000 + extraNs).padStart(9, '0');
  return `${d.toISOString().slice(0, 19)}.${ns}Z`;
}
