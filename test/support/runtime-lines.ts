// Reading container runtimes' own log lines without the product's parsers (src/core/logs): the
// ground truth of the live tests (test/cluster/harness.ts reads the lines on the node) and of the
// unit tests over recorded fixtures of every combination (test/unit/recorded-matrix.test.ts).
// Written apart on purpose, so one mistake cannot hide in both. Three formats: containerd 1.6/1.7
// (`&PodSandboxMetadata{Name:x,Uid:y,…}`), containerd 2.2+ (prototext: `name:"x" uid:"y"
// namespace:"z"`) and CRI-O (`Running pod sandbox: ns/pod/POD`, pods named by
// `<namespace>/<pod>/<container>` descriptions, one request's lines tied together by `id=`).

/** Normalize an image reference as containerd/docker do: busybox:1.36 -> docker.io/library/busybox:1.36. */
export function normalizeImageRef(ref: string): string {
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = `docker.io/${name}`;
  if (/^docker\.io\/[^/]+$/.test(name.replace(/:[^/]*$/, '')))
    name = name.replace(/^docker\.io\//, 'docker.io/library/');
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!suffix && !lastPart.includes(':')) name += ':latest';
  return name + suffix;
}

/** The logrus `key=value` fields of a line (quoted values unescaped), journal prefix ignored. */
export function logrusFields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const start = line.search(/(?:^|\s)time="/);
  const text = start >= 0 ? line.slice(start) : line;
  const re = /(?:^|\s)([A-Za-z_][\w.-]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  for (const m of text.matchAll(re)) {
    const [, key = '', quoted, bare] = m;
    if (!out.has(key)) out.set(key, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? ''));
  }
  return out;
}

/** The runtime's own timestamp of a log line (its time="…" field) as microseconds since the epoch. */
export function runtimeLineMicros(line: string): number | undefined {
  const t = line.match(/(?:^|\s)time="([^"]+)"/)?.[1];
  return t === undefined ? undefined : isoMicros(t);
}

/** `2026-12-06T18:48:52.123456789Z`, `2026-12-06 18:48:52.123456789+00:00` → µs since the epoch. */
export function isoMicros(text: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, day = '', clock = '', frac = '', zone = 'Z'] = m;
  const z = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${day}T${clock}${z}`);
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number(`${frac}000000`.slice(0, 6));
}

/** The runtime's own timestamp of a log line as a Date (ms), or undefined. */
export function runtimeLineTime(line: string): Date | undefined {
  const us = runtimeLineMicros(line);
  return us === undefined ? undefined : new Date(Math.floor(us / 1000));
}
/** @deprecated name from before CRI-O: the same as runtimeLineTime. */
export const containerdLineTime = runtimeLineTime;

/** The `msg` of a logrus line (containerd or CRI-O), unescaped. */
export function runtimeMsg(line: string): string | undefined {
  const m = line.match(/ msg="((?:[^"\\]|\\.)*)"/) ?? line.match(/ msg=(\S+)/);
  return m?.[1]?.replace(/\\(.)/g, '$1');
}
/** The `msg` of a containerd logrus line, unescaped (CRI-O lines too). */
export const containerdMsg = runtimeMsg;

/** Whether the line is CRI-O's (its request fields, or the journal identifier `crio[pid]:`). */
export function isCrioLine(line: string): boolean {
  return / crio\[\d+\]: /.test(line) || / name=\/runtime\.v1\./.test(line);
}

/** Sandbox identity of a containerd RunPodSandbox message, in either metadata rendering. */
function containerdSandboxMeta(m: string): { name: string; uid: string; namespace: string } | undefined {
  if (!m.startsWith('RunPodSandbox for ')) return undefined;
  const gogo = m.match(/PodSandboxMetadata\{Name:([^,]*),Uid:([^,]*),Namespace:([^,]*),/);
  if (gogo) return { name: gogo[1] ?? '', uid: gogo[2] ?? '', namespace: gogo[3] ?? '' };
  const field = (k: string) => m.match(new RegExp(`(?:^|\\s)${k}:"((?:[^"\\\\]|\\\\.)*)"`))?.[1];
  const name = field('name');
  if (name === undefined) return undefined;
  return { name, uid: field('uid') ?? '', namespace: field('namespace') ?? '' };
}

/** `<namespace>/<pod>/<container>` in a CRI-O message or its description field. */
function crioDescription(
  msg: string,
  fields: Map<string, string>,
): { namespace: string; pod: string; container: string } | undefined {
  const text =
    fields.get('description') ??
    msg.match(
      /^(?:Running pod sandbox|Creating container|Created container \S+|Ran pod sandbox \S+ with infra container|Stopped container \S+|Removed container \S+): (.*)$/,
    )?.[1];
  const parts = text?.trim().split('/');
  if (!parts || parts.length !== 3) return undefined;
  const [namespace = '', pod = '', container = ''] = parts;
  return { namespace, pod, container };
}

export interface PodKey {
  uid?: string;
  namespace?: string;
  name?: string;
}
/** The lines of one pod and the ids found on the way. */
export interface Selection {
  lines: string[];
  sandboxIds: string[];
  containerIds: string[];
}

/**
 * containerd: RunPodSandbox lines by uid (or name+namespace when no uid is known) → sandbox ids
 * from `returns sandbox id`; lines naming a sandbox id (CreateContainer within sandbox …,
 * StopPodSandbox, …) → container ids from `returns container id`; lines naming a container id
 * (StartContainer, StopContainer, TaskExit, …); plus the pull lines (PullImage, Pulled image,
 * ImageCreate/Update) of the pod's images from its first sandbox line on (the kubelet pulls only
 * after RunPodSandbox; an earlier pull of the same image is another pod's: a second's slack
 * took the end line of a warm-up pod's pull, seen on containerd 2.2 × 1.37).
 */
export function selectContainerdLines(all: string[], pod: PodKey, wantedImages: Set<string>): Selection {
  const msgs = all.map((l) => runtimeMsg(l) ?? '');
  const isPodSandboxLine = (m: string): boolean => {
    const meta = containerdSandboxMeta(m);
    if (!meta) return false;
    if (pod.uid) return meta.uid === pod.uid;
    return meta.name === pod.name && meta.namespace === pod.namespace;
  };
  const sandboxIds = new Set<string>();
  const containerIds = new Set<string>();
  const keep = new Array<boolean>(all.length).fill(false);
  let firstTime: number | undefined;
  msgs.forEach((m, i) => {
    if (!isPodSandboxLine(m)) return;
    keep[i] = true;
    firstTime ??= runtimeLineTime(all[i] ?? '')?.getTime();
    const id = m.match(/returns sandbox id "([0-9a-f]{64})"/)?.[1];
    if (id) sandboxIds.add(id);
  });
  // Ids are matched on the whole line: some lines carry them only in a field (id=…, path=…).
  all.forEach((line, i) => {
    for (const sb of sandboxIds) {
      if (!line.includes(sb)) continue;
      keep[i] = true;
      const id = msgs[i]?.match(/returns container id "([0-9a-f]{64})"/)?.[1];
      if (id) containerIds.add(id);
    }
  });
  all.forEach((line, i) => {
    if (keep[i]) return;
    for (const id of containerIds) if (line.includes(id)) keep[i] = true;
  });
  if (wantedImages.size > 0 && firstTime !== undefined) {
    msgs.forEach((m, i) => {
      if (keep[i]) return;
      const t = runtimeLineTime(all[i] ?? '')?.getTime();
      if (t === undefined || t < firstTime!) return;
      const ref =
        m.match(/^PullImage "([^"]+)"/)?.[1] ??
        m.match(/^Pulled image "([^"]+)"/)?.[1] ??
        m.match(/^Image(?:Create|Update|Delete) event &Image\w+\{Name:([^,]+),/)?.[1] ??
        m.match(/^Image(?:Create|Update|Delete) event name:"([^"]+)"/)?.[1];
      if (ref && wantedImages.has(normalizeImageRef(ref))) keep[i] = true;
    });
  }
  return { lines: all.filter((_, i) => keep[i]), sandboxIds: [...sandboxIds], containerIds: [...containerIds] };
}

/**
 * CRI-O names pods by `<namespace>/<pod>/<container>` and never prints the pod UID except in `Got
 * pod network &{Name:… Namespace:… ID:<sandbox> UID:<uid> …}`. Sandboxes: `Ran pod sandbox <id>
 * with infra container: ns/pod/POD` for this pod (not another pod's UID) → every line of those
 * requests (`id=`: the `Running pod sandbox` start line) and every line naming the sandbox.
 * Containers: `Created container <id>: ns/pod/<c>` after this pod's sandbox and before the next
 * sandbox of a pod with the same name → the lines of that request and every line naming the
 * container id. Pulls: `Pulling image: <image>` of the pod's images from its first line on, with
 * their request's other lines (`Pulled image: …`).
 */
export function selectCrioLines(all: string[], podKey: PodKey, wantedImages: Set<string>): Selection {
  let pod = podKey;
  const parsed = all.map((l) => ({ msg: runtimeMsg(l) ?? '', fields: logrusFields(l) }));
  const sandboxUid = new Map<string, string>();
  for (const { msg } of parsed) {
    const m = msg.match(/^Got pod network &\{.*?\bID:([^\s}]+)[\s}].*?\bUID:([^\s}]+)[\s}]/);
    if (m?.[1] && m[2]) sandboxUid.set(m[1], m[2]);
  }
  const samePod = (d: { namespace: string; pod: string } | undefined): boolean =>
    !!d && d.namespace === pod.namespace && d.pod === pod.name;
  const sandboxIds = new Set<string>();
  const containerIds = new Set<string>();
  const requests = new Set<string>();
  let current: string | undefined; // the latest sandbox of a pod with this name, in log order
  const keep = new Array<boolean>(all.length).fill(false);
  let firstTime: number | undefined;
  parsed.forEach(({ msg, fields }) => {
    const ran = msg.match(/^Ran pod sandbox (\S+) with infra container: /);
    const ranDesc = crioDescription(msg, fields);
    if (ran?.[1] && (samePod(ranDesc) || (pod.uid && sandboxUid.get(ran[1]) === pod.uid))) {
      const sb = ran[1];
      // The same name with another uid (a pod deleted and created again) is another pod.
      const ours = !pod.uid || !sandboxUid.has(sb) || sandboxUid.get(sb) === pod.uid;
      current = ours ? sb : undefined;
      if (ranDesc && !pod.name) {
        pod = { ...pod, namespace: ranDesc.namespace, name: ranDesc.pod };
      }
      if (ours) {
        sandboxIds.add(sb);
        const rid = fields.get('id');
        if (rid) requests.add(rid);
      }
      return;
    }
    const created = msg.match(/^Created container (\S+): /);
    if (created?.[1] && current && samePod(crioDescription(msg, fields))) {
      containerIds.add(created[1]);
      const rid = fields.get('id');
      if (rid) requests.add(rid);
    }
    // A sandbox that never ran (RunPodSandbox failed) is still this pod's when the uid is unknown.
    if (!pod.uid && msg.startsWith('Running pod sandbox: ') && samePod(crioDescription(msg, fields))) {
      const rid = fields.get('id');
      if (rid) requests.add(rid);
    }
  });
  all.forEach((line, i) => {
    const rid = parsed[i]?.fields.get('id');
    if (rid && requests.has(rid)) keep[i] = true;
    for (const id of [...sandboxIds, ...containerIds]) if (line.includes(id)) keep[i] = true;
    if (keep[i]) firstTime ??= runtimeLineTime(line)?.getTime();
  });
  if (wantedImages.size > 0 && firstTime !== undefined) {
    const pulls = new Set<string>();
    parsed.forEach(({ msg, fields }, i) => {
      const img = msg.match(/^Pulling image: (\S+)$/)?.[1];
      const t = runtimeLineTime(all[i] ?? '')?.getTime();
      if (!img || t === undefined || t < firstTime!) return;
      const rid = fields.get('id');
      if (wantedImages.has(normalizeImageRef(img)) && rid) pulls.add(rid);
    });
    parsed.forEach(({ fields }, i) => {
      const rid = fields.get('id');
      if (rid && pulls.has(rid)) keep[i] = true;
    });
  }
  return { lines: all.filter((_, i) => keep[i]), sandboxIds: [...sandboxIds], containerIds: [...containerIds] };
}

/** One CRI call as the runtime logged it (start, end or failure line), read without the product. */
export interface TruthCall {
  rpc: 'RunPodSandbox' | 'PullImage' | 'CreateContainer' | 'StartContainer';
  phase: 'start' | 'end' | 'failed';
  /** The runtime's own time, µs since the epoch, and as written. */
  micros: number;
  time: string;
  /** CreateContainer/StartContainer: the container's name and attempt (CRI-O: counted per name). */
  container?: string;
  attempt?: number;
  containerId?: string;
  image?: string;
  line: string;
}

/**
 * The birth CRI calls (RunPodSandbox, PullImage, CreateContainer, StartContainer) in one pod's
 * runtime lines (from runtimeLogLinesFor), in log order. Each start line's container is carried to
 * its end line (containerd: by container id; CRI-O: by request id).
 */
export function truthCalls(lines: string[]): TruthCall[] {
  const out: TruthCall[] = [];
  const byContainerId = new Map<string, { container: string; attempt: number }>();
  const byRequest = new Map<string, { container?: string; attempt?: number; image?: string }>();
  const crioAttempts = new Map<string, number>();
  for (const line of lines) {
    const msg = runtimeMsg(line);
    const time = line.match(/(?:^|\s)time="([^"]+)"/)?.[1];
    const micros = time === undefined ? undefined : isoMicros(time);
    if (msg === undefined || time === undefined || micros === undefined) continue;
    const fields = logrusFields(line);
    const base = { micros, time, line };
    const push = (c: Omit<TruthCall, 'micros' | 'time' | 'line'>) => out.push({ ...base, ...c });
    let m: RegExpMatchArray | null;
    if (isCrioLine(line)) {
      const rid = fields.get('id') ?? '';
      const desc = crioDescription(msg, fields);
      if (msg.startsWith('Running pod sandbox: ')) push({ rpc: 'RunPodSandbox', phase: 'start' });
      else if (msg.startsWith('Ran pod sandbox ')) push({ rpc: 'RunPodSandbox', phase: 'end' });
      else if ((m = msg.match(/^Pulling image: (\S+)$/))) {
        byRequest.set(rid, { image: m[1] });
        push({ rpc: 'PullImage', phase: 'start', image: m[1] });
      } else if (msg.startsWith('Pulled image: ')) {
        const image = byRequest.get(rid)?.image;
        push({ rpc: 'PullImage', phase: 'end', ...(image ? { image } : {}) });
      } else if (msg.startsWith('Creating container: ') && desc) {
        const attempt = crioAttempts.get(desc.container) ?? 0;
        crioAttempts.set(desc.container, attempt + 1);
        byRequest.set(rid, { container: desc.container, attempt });
        push({ rpc: 'CreateContainer', phase: 'start', container: desc.container, attempt });
      } else if ((m = msg.match(/^Created container (\S+): /)) && desc) {
        const c = byRequest.get(rid) ?? { container: desc.container, attempt: 0 };
        byContainerId.set(m[1]!, { container: c.container ?? desc.container, attempt: c.attempt ?? 0 });
        push({ rpc: 'CreateContainer', phase: 'end', containerId: m[1], ...byContainerId.get(m[1]!) });
      } else if ((m = msg.match(/^Starting container: (\S+)$/))) {
        push({ rpc: 'StartContainer', phase: 'start', containerId: m[1], ...byContainerId.get(m[1]!) });
      } else if (/^Started container\b/.test(msg)) {
        const id = fields.get('containerID');
        push({ rpc: 'StartContainer', phase: 'end', ...(id ? { containerId: id, ...byContainerId.get(id) } : {}) });
      }
      continue;
    }
    if (containerdSandboxMeta(msg)) {
      const phase = / returns sandbox id "/.test(msg) ? 'end' : / failed(, error)?$/.test(msg) ? 'failed' : 'start';
      push({ rpc: 'RunPodSandbox', phase });
    } else if ((m = msg.match(/^PullImage "([^"]+)"(.*)$/))) {
      const rest = m[2] ?? '';
      const phase =
        rest === ''
          ? 'start'
          : rest.startsWith(' returns image reference')
            ? 'end'
            : rest === ' failed'
              ? 'failed'
              : undefined;
      if (phase) push({ rpc: 'PullImage', phase, image: m[1] });
    } else if ((m = msg.match(/^CreateContainer within sandbox "[0-9a-f]+" for (container )?(.*)$/))) {
      const rest = m[2] ?? '';
      const name = rest.match(/ContainerMetadata\{Name:([^,]*),/)?.[1] ?? rest.match(/(?:^|\s)name:"([^"]*)"/)?.[1];
      const attempt = Number(rest.match(/Attempt:(\d+)/)?.[1] ?? rest.match(/(?:^|\s)attempt:(\d+)/)?.[1] ?? 0);
      const id = rest.match(/ returns container id "([0-9a-f]{64})"$/)?.[1];
      if (name === undefined) continue;
      if (id) byContainerId.set(id, { container: name, attempt });
      const phase = m[1] ? 'start' : id ? 'end' : / failed$/.test(rest) ? 'failed' : undefined;
      if (phase) push({ rpc: 'CreateContainer', phase, container: name, attempt, ...(id ? { containerId: id } : {}) });
    } else if ((m = msg.match(/^StartContainer for "([0-9a-f]{64})"(.*)$/))) {
      const rest = m[2] ?? '';
      const phase =
        rest === '' ? 'start' : rest === ' returns successfully' ? 'end' : rest === ' failed' ? 'failed' : undefined;
      if (phase) push({ rpc: 'StartContainer', phase, containerId: m[1], ...byContainerId.get(m[1]!) });
    }
  }
  return out;
}

export interface RuntimePodIndexEntry {
  name: string;
  namespace: string;
  uid: string;
  sandboxIds: Set<string>;
  containerIds: Set<string>;
}

/** Every pod the runtime logged a sandbox for, by uid (CRI-O: by `ns/name` when no uid is logged). */
export function indexRuntimePods(lines: string[]): Map<string, RuntimePodIndexEntry> {
  const byUid = new Map<string, RuntimePodIndexEntry>();
  const bySandbox = new Map<string, RuntimePodIndexEntry>();
  const entry = (name: string, namespace: string, uid: string): RuntimePodIndexEntry => {
    let e = byUid.get(uid);
    if (!e) byUid.set(uid, (e = { name, namespace, uid, sandboxIds: new Set(), containerIds: new Set() }));
    return e;
  };
  for (const line of lines) {
    const m = runtimeMsg(line) ?? '';
    const meta = containerdSandboxMeta(m);
    if (meta) {
      const e = entry(meta.name, meta.namespace, meta.uid);
      const sb = m.match(/returns sandbox id "([0-9a-f]{64})"/)?.[1];
      if (sb) {
        e.sandboxIds.add(sb);
        bySandbox.set(sb, e);
      }
      continue;
    }
    const cc = m.match(/^CreateContainer within sandbox "([0-9a-f]{64})" .* returns container id "([0-9a-f]{64})"/);
    if (cc?.[1] && cc[2]) {
      bySandbox.get(cc[1])?.containerIds.add(cc[2]);
      continue;
    }
    const fields = logrusFields(line);
    const desc = crioDescription(m, fields);
    const ran = m.match(/^Ran pod sandbox (\S+) with infra container: /)?.[1];
    if (ran && desc) entry(desc.pod, desc.namespace, `${desc.namespace}/${desc.pod}`).sandboxIds.add(ran);
    const created = m.match(/^Created container (\S+): /)?.[1];
    if (created && desc) entry(desc.pod, desc.namespace, `${desc.namespace}/${desc.pod}`).containerIds.add(created);
  }
  return byUid;
}

/** How close a step's time must be to the runtime's own line: 1 ms (the product keeps ns or µs). */
export const GROUND_TRUTH_TOLERANCE_US = 1000;

const STEP_KINDS_OF: Record<TruthCall['rpc'], readonly string[]> = {
  RunPodSandbox: ['sandbox-created', 'sandbox-failed'],
  PullImage: ['image-pull', 'image-pull-failed'],
  CreateContainer: ['container-created', 'container-failed'],
  StartContainer: ['container-started', 'container-failed'],
};

/** What the ground-truth check reads of a step: the trace's own steps, or the CLI's JSON ones. */
export interface TimedStep {
  readonly id: string;
  readonly kind: string;
  readonly container: string | null;
  readonly attempt: number;
  readonly source: string;
  readonly start: { readonly key: string } | null;
  readonly end: { readonly key: string } | null;
}

export const micros = (i: { readonly key: string } | null | undefined): number | undefined =>
  i ? isoMicros(i.key) : undefined;
export const near = (a: number | undefined, b: number): boolean =>
  a !== undefined && Math.abs(a - b) <= GROUND_TRUTH_TOLERANCE_US;

/** The step that shows one CRI call the runtime logged, or undefined. */
export function stepForCall(steps: readonly TimedStep[], c: TruthCall): TimedStep | undefined {
  return steps.find((s) => {
    if (!STEP_KINDS_OF[c.rpc].includes(s.kind)) return false;
    if (c.container !== undefined && s.container !== c.container) return false;
    if (c.attempt !== undefined && s.container !== null && s.attempt !== c.attempt) return false;
    if (c.phase === 'start') return near(micros(s.start), c.micros);
    if (c.phase === 'end') return near(micros(s.end), c.micros);
    return near(micros(s.end), c.micros) || near(micros(s.start), c.micros);
  });
}
