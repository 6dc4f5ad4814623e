// Which runtime and kubelet records belong to one pod. A node log holds every pod's lines; the pod is
// found by its sandbox metadata (UID for containerd; namespace/name for CRI-O, which logs no UID), and
// everything else is reached through ids the runtime itself printed: sandbox id → CreateContainer within
// it → the container id it returned → StartContainer/Stop/Remove for that id. Image pulls carry no pod
// at all, so they are matched by image and by time window, and are the one heuristic part.

import type { CriRecord, KubeletRecord, LogRecord } from '../model.js';
import type { Instant } from '../time.js';
import { normalizeImageRef } from './image-ref.js';

export interface PodLogIdentity {
  readonly namespace: string | null;
  readonly name: string | null;
  readonly uid: string | null;
  /** Container ids from the pod's status; a `containerd://` or `cri-o://` scheme is ignored. */
  readonly containerIds?: readonly string[];
  /** The images the pod's containers (init containers included) use. */
  readonly images?: readonly string[];
  /** Which container uses which image; gives each image pull an upper time bound (its CreateContainer). */
  readonly containers?: readonly { readonly name: string; readonly image: string }[];
}

export interface AttributionOptions {
  /**
   * Lines that name the pod only by namespace/name (CRI-O, most kubelet lines) are not taken on their
   * name before this instant, which separates the pod from an earlier one of the same name; lines
   * linked by UID or by ids are unaffected. Also a lower bound of the image-pull window (with the
   * first RunPodSandbox, when that is later: the kubelet pulls only after the sandbox is up).
   * Typically the creationTimestamp minus an allowance for clock skew.
   */
  readonly notBefore?: Instant | null;
  /** Upper bound of the image-pull window, instead of the CreateContainer of a container using the image. */
  readonly notAfter?: Instant | null;
}

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** `containerd://3c7f…` → `3c7f…`. */
export function stripContainerIdScheme(id: string): string {
  return id.trim().replace(SCHEME_RE, '');
}

const HEX_ID_RE = /^[0-9a-f]{12,128}$/;

type Identity = 'match' | 'conflict' | 'unknown';

interface Context {
  readonly uid: string | null;
  readonly namespace: string | null;
  readonly name: string | null;
  readonly notBefore: Instant | null;
}

function isBefore(t: Instant, bound: Instant | null): boolean {
  return bound !== null && t.key < bound.key;
}

/** What a record's own sandbox metadata says about membership. */
function criIdentity(r: CriRecord, c: Context): Identity {
  const s = r.sandbox;
  if (!s) return 'unknown';
  if (s.uid && c.uid) return s.uid === c.uid ? 'match' : 'conflict';
  if (s.namespace && s.name) {
    if (!c.namespace || !c.name) return 'unknown';
    if (s.namespace !== c.namespace || s.name !== c.name) return 'conflict';
    // Same name but earlier than the pod can exist: likely an earlier pod of that name, so the name is
    // no evidence. Not a conflict either: with clock skew it may be this pod, and ids can still link it.
    return isBefore(r.time, c.notBefore) ? 'unknown' : 'match';
  }
  return 'unknown';
}

/** A UID the kubelet line names, if any (PLEG event ID, mount UID, old SyncLoop ADD uid). */
function kubeletUid(r: KubeletRecord): string | null {
  const f = r.fields;
  const v =
    r.event === 'pleg' ? f['ID'] : r.event === 'mount-succeeded' || r.event === 'syncloop-add' ? f['uid'] : undefined;
  return v ? v : null;
}

function pullImageKey(r: CriRecord): string | null {
  return r.image ? normalizeImageRef(r.image) : null;
}

/**
 * The records that belong to the pod, in their original order. Records of other pods are never
 * returned; a record whose own metadata names another pod is never returned even if an id links it.
 */
export function attributeToPod<R extends LogRecord>(
  records: readonly R[],
  pod: PodLogIdentity,
  opts: AttributionOptions = {},
): R[] {
  const c: Context = {
    uid: pod.uid || null,
    namespace: pod.namespace || null,
    name: pod.name || null,
    notBefore: opts.notBefore ?? null,
  };
  const podKey = c.namespace && c.name ? `${c.namespace}/${c.name}` : null;
  const index = indexIds(records);
  // Records to look at again because one of their ids just became this pod's.
  const queue: number[] = [];
  const link = (set: Set<string>, byId: ReadonlyMap<string, readonly number[]>, id: string): void => {
    if (set.has(id)) return;
    set.add(id);
    for (const j of byId.get(id) ?? []) queue.push(j);
  };
  const sandboxIds = new Set<string>();
  const containerIds = new Set<string>();
  for (const id of pod.containerIds ?? []) {
    if (typeof id !== 'string') continue; // from untyped pod status (a trace file): `containerID: []` threw
    const s = stripContainerIdScheme(id);
    if (s) containerIds.add(s);
  }
  const requestIds = new Set<string>();
  const included = new Array<boolean>(records.length).fill(false);

  // Ids that provably belong to another pod: from records whose own metadata names another pod, and
  // everything linked to those. This is what separates two pods that share a namespace/name on CRI-O,
  // whose container lines carry only the name.
  const foreign = foreignRecords(records, c, index);

  function absorb(r: LogRecord): void {
    if (r.type === 'cri') {
      if (r.sandboxId) link(sandboxIds, index.sandbox, r.sandboxId);
      if (r.containerId) link(containerIds, index.container, r.containerId);
      if (r.requestId) link(requestIds, index.request, r.requestId);
    } else if (r.event === 'pleg' && c.uid && r.fields['ID'] === c.uid) {
      // The PLEG event's ID is the pod UID, so its Data (a container or sandbox id) is this pod's.
      const data = r.fields['Data'];
      if (data && HEX_ID_RE.test(data)) {
        link(containerIds, index.container, data);
        link(sandboxIds, index.sandbox, data);
      }
    }
  }

  function belongs(r: LogRecord): boolean {
    if (r.type === 'kubelet') {
      if (podKey === null || r.pod !== podKey) return false;
      const u = kubeletUid(r);
      if (u && c.uid) return u === c.uid;
      return !isBefore(r.time, c.notBefore);
    }
    if (r.rpc === 'PullImage') return false; // decided by the pull window below
    const identity = criIdentity(r, c);
    if (identity === 'conflict') return false;
    return (
      identity === 'match' ||
      (r.sandboxId !== undefined && sandboxIds.has(r.sandboxId)) ||
      (r.containerId !== undefined && containerIds.has(r.containerId)) ||
      (r.requestId !== undefined && requestIds.has(r.requestId))
    );
  }

  const consider = (i: number): void => {
    const r = records[i];
    if (r && !included[i] && !foreign[i] && belongs(r)) {
      included[i] = true;
      absorb(r);
    }
  };
  // Ids found later in the list can link records seen earlier. Rather than repeat passes until nothing
  // changes (quadratic: a chain of 8,000 CRI-O requests linked in reverse order took 23 s), every new
  // id queues the records that carry it. Same result: the sets only grow, and a record can only start
  // to belong when one of its ids joins them.
  records.forEach((_, i) => consider(i));
  for (let i = queue.pop(); i !== undefined; i = queue.pop()) consider(i);

  attributePulls(records, pod, opts, included);
  return records.filter((_, i) => included[i]);
}

/** Indices of the CRI records that carry each sandbox, container and request id. */
interface IdIndex {
  readonly sandbox: ReadonlyMap<string, readonly number[]>;
  readonly container: ReadonlyMap<string, readonly number[]>;
  readonly request: ReadonlyMap<string, readonly number[]>;
}

function indexIds(records: readonly LogRecord[]): IdIndex {
  const sandbox = new Map<string, number[]>();
  const container = new Map<string, number[]>();
  const request = new Map<string, number[]>();
  const put = (m: Map<string, number[]>, id: string | undefined, i: number): void => {
    if (!id) return;
    const list = m.get(id);
    if (list) list.push(i);
    else m.set(id, [i]);
  };
  records.forEach((r, i) => {
    if (r.type !== 'cri') return;
    put(sandbox, r.sandboxId, i);
    put(container, r.containerId, i);
    put(request, r.requestId, i);
  });
  return { sandbox, container, request };
}

function foreignRecords(records: readonly LogRecord[], c: Context, index: IdIndex): boolean[] {
  const marked = new Array<boolean>(records.length).fill(false);
  const seen = new Set<string>(); // `s:<sandbox id>`, `c:<container id>`, `r:<request id>` already followed
  const queue: number[] = [];
  const follow = (prefix: string, byId: ReadonlyMap<string, readonly number[]>, id: string | undefined): void => {
    if (!id || seen.has(prefix + id)) return;
    seen.add(prefix + id);
    for (const j of byId.get(id) ?? []) queue.push(j);
  };
  const mark = (r: CriRecord, i: number): void => {
    marked[i] = true;
    follow('s:', index.sandbox, r.sandboxId);
    follow('c:', index.container, r.containerId);
    follow('r:', index.request, r.requestId);
  };
  records.forEach((r, i) => {
    if (r.type === 'cri' && criIdentity(r, c) === 'conflict') mark(r, i);
  });
  // Everything sharing an id with a marked record is marked too (a work list, linear in the links).
  for (let i = queue.pop(); i !== undefined; i = queue.pop()) {
    const r = records[i];
    if (!marked[i] && r && r.type === 'cri') mark(r, i);
  }
  return marked;
}

function earliest(times: Iterable<Instant>): Instant | null {
  let best: Instant | null = null;
  for (const t of times) if (!best || t.key < best.key) best = t;
  return best;
}

function latest(times: Iterable<Instant>): Instant | null {
  let best: Instant | null = null;
  for (const t of times) if (!best || t.key > best.key) best = t;
  return best;
}

function attributePulls(
  records: readonly LogRecord[],
  pod: PodLogIdentity,
  opts: AttributionOptions,
  included: boolean[],
): void {
  const images = new Set<string>();
  for (const i of pod.images ?? []) images.add(normalizeImageRef(i));
  for (const ct of pod.containers ?? []) images.add(normalizeImageRef(ct.image));
  images.delete('');
  if (images.size === 0) return;

  const ours = records.filter((_, i) => included[i]).filter((r): r is CriRecord => r.type === 'cri');
  const firstSandbox = earliest(ours.filter((r) => r.rpc === 'RunPodSandbox').map((r) => r.time));
  const lower = latest([opts.notBefore, firstSandbox].filter((t): t is Instant => !!t));
  if (!lower) return; // without a sandbox or a bound, a pull of a shared image could be anyone's

  // Upper bound per image: the last CreateContainer of a container that uses it (the pull precedes it).
  const upperByImage = new Map<string, Instant>();
  if (pod.containers && pod.containers.length > 0) {
    const creates = new Map<string, { starts: Instant[]; any: Instant[] }>();
    for (const r of ours) {
      if (r.rpc !== 'CreateContainer' || !r.container) continue;
      const entry = creates.get(r.container.name) ?? { starts: [], any: [] };
      (r.phase === 'start' ? entry.starts : entry.any).push(r.time);
      creates.set(r.container.name, entry);
    }
    for (const ct of pod.containers) {
      const entry = creates.get(ct.name);
      const last = entry ? latest(entry.starts.length > 0 ? entry.starts : entry.any) : null;
      const img = normalizeImageRef(ct.image);
      const prev = upperByImage.get(img);
      if (last && (!prev || last.key > prev.key)) upperByImage.set(img, last);
    }
  }

  // Pair each end/failure with its start: by CRI-O request id, else the oldest open pull of that image.
  const pullIdx = records
    .map((r, i) => ({ r, i }))
    .filter((x): x is { r: CriRecord; i: number } => x.r.type === 'cri' && x.r.rpc === 'PullImage')
    .sort((a, b) => (a.r.time.key < b.r.time.key ? -1 : a.r.time.key > b.r.time.key ? 1 : a.i - b.i));
  const groups: { start: CriRecord | null; members: number[]; image: string | null; time: Instant }[] = [];
  const openByRequest = new Map<string, (typeof groups)[number]>();
  const openByImage = new Map<string, (typeof groups)[number][]>();
  for (const { r, i } of pullIdx) {
    const img = pullImageKey(r);
    if (r.phase === 'start') {
      const g = { start: r, members: [i], image: img, time: r.time };
      groups.push(g);
      if (r.requestId) openByRequest.set(r.requestId, g);
      else if (img) openByImage.set(img, [...(openByImage.get(img) ?? []), g]);
      continue;
    }
    let g = r.requestId ? openByRequest.get(r.requestId) : undefined;
    if (g && r.requestId) openByRequest.delete(r.requestId);
    if (!g && img) {
      const queue = openByImage.get(img);
      g = queue?.shift();
    }
    if (g) {
      g.members.push(i);
      if (!g.image) g.image = img;
    } else groups.push({ start: null, members: [i], image: img, time: r.time });
  }

  for (const g of groups) {
    if (!g.image || !images.has(g.image) || g.time.key < lower.key) continue;
    const upper = opts.notAfter ?? upperByImage.get(g.image) ?? null;
    if (upper && g.time.key > upper.key) continue;
    for (const i of g.members) included[i] = true;
  }
}
