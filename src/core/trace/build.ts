// The trace as a pure function of the folded evidence.
//
// For every step, candidate times come from several sources (runtime log ns, kubelet log µs, watch
// receive ms, event/condition s). The most precise candidate sets the time; the others are kept as
// corroboration. Steps are ordered by (second, logical rank, full time) — a total order, so the
// result never depends on input order.

import type { ContainerStatus, Pod } from '../k8s-types.js';
import type {
  CriRecord,
  Corroboration,
  Diagnosis,
  KubeletRecord,
  PodIdentity,
  Step,
  Trace,
  TraceNote,
  TracePhase,
} from '../model.js';
import { diffMs, formatInstant, parseInstant, type Instant } from '../time.js';
import {
  ARROWS,
  precisionRank,
  type Precision,
  type RuntimeName,
  type Source,
  type StepKind,
  type StepStatus,
} from '../vocabulary.js';
import { diagnose } from '../diagnosis/index.js';
import { nodeFit, withFit } from '../diagnosis/fit.js';
import { containerPath } from '../diagnosis/paths.js';
import { attributeToPod, normalizeImageRef } from '../logs/index.js';
import { containerFromFieldPath, regardsPod, type NormalizedEvent } from './events.js';
import type { PodSnapshot, TraceState } from './evidence.js';

interface Candidate {
  readonly time: Instant;
  readonly source: Source;
}

interface StepDraft {
  kind: StepKind;
  container: string | null;
  init: boolean;
  attempt: number;
  starts: Candidate[];
  ends: Candidate[];
  status: StepStatus;
  message: string;
  yamlPath: string | null;
  count: number;
}

const FAILED_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'SignatureValidationFailed',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
  'CreatePodSandboxError',
  'ConfigPodSandboxError',
  'PreStartHookError',
  'PostStartHookError',
  'ImageInspectError',
]);

function best(cands: readonly Candidate[]): Candidate | null {
  let b: Candidate | null = null;
  for (const c of cands) {
    if (
      !b ||
      precisionRank(c.time.precision) > precisionRank(b.time.precision) ||
      (precisionRank(c.time.precision) === precisionRank(b.time.precision) &&
        (c.time.key < b.time.key || (c.time.key === b.time.key && c.source < b.source)))
    )
      b = c;
  }
  return b;
}

/**
 * A time observed by our watch refines a whole-second API time only if it lies within two seconds
 * after it: then the real moment is between the two, and the receive time is the tighter bound.
 * Attaching to an old pod gives receive times far later, which must not replace the real ones.
 */
function watchRefines(observed: Instant | null, apiTime: Instant | null): boolean {
  if (!observed || !apiTime) return false;
  const d = diffMs(apiTime, observed);
  return d >= 0 && d < 2000;
}

function cond(
  pod: Pod | null,
  type: string,
): { status: string; time: Instant | null; reason: string; message: string } | null {
  const c = pod?.status?.conditions?.find((x) => x && x.type === type);
  if (!c) return null;
  return {
    status: c.status ?? '',
    time: parseInstant(c.lastTransitionTime, 's'),
    reason: c.reason ?? '',
    message: c.message ?? '',
  };
}

/** First snapshot (in resourceVersion order) for which pred holds, and its receive time. */
function firstObserved(snaps: readonly PodSnapshot[], pred: (p: Pod) => boolean): PodSnapshot | null {
  for (const s of snaps) if (pred(s.pod)) return s;
  return null;
}

function statuses(pod: Pod | null): { s: ContainerStatus; init: boolean }[] {
  const out: { s: ContainerStatus; init: boolean }[] = [];
  for (const s of pod?.status?.initContainerStatuses ?? []) if (s && typeof s === 'object') out.push({ s, init: true });
  for (const s of pod?.status?.containerStatuses ?? []) if (s && typeof s === 'object') out.push({ s, init: false });
  return out;
}

function stripScheme(id: string | undefined): string | null {
  if (!id) return null;
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

export interface BuildOptions {
  /** Records whose pod could not be decided are dropped; pass false to keep every given record. */
  readonly attributeLogs?: boolean;
}

export function buildTrace(state: TraceState, opts: BuildOptions = {}): Trace {
  const snaps = state.orderedSnapshots();
  const latest = snaps.length > 0 ? (snaps[snaps.length - 1]?.pod ?? null) : null;
  const meta = latest?.metadata ?? {};
  const podRef = { uid: meta.uid ?? null, name: meta.name ?? null, namespace: meta.namespace ?? null };
  const allEvents = [...state.events.values()];
  const events = allEvents.filter((e) => regardsPod(e.event, podRef)).map((e) => e.event);
  const ownerUids = new Set((meta.ownerReferences ?? []).map((o) => o?.uid).filter((u): u is string => !!u));
  const ownerEvents = allEvents.map((e) => e.event).filter((e) => !!e.regarding.uid && ownerUids.has(e.regarding.uid));

  // Containers in spec order (init first); fall back to statuses and events when the spec is absent.
  const containers: { name: string; init: boolean; image: string | null }[] = [];
  const addContainer = (name: string | undefined, init: boolean, image: string | null): void => {
    if (name && !containers.some((c) => c.name === name && c.init === init)) containers.push({ name, init, image });
  };
  for (const c of latest?.spec?.initContainers ?? []) addContainer(c?.name, true, c?.image ?? null);
  for (const c of latest?.spec?.containers ?? []) addContainer(c?.name, false, c?.image ?? null);
  for (const { s, init } of statuses(latest)) addContainer(s.name, init, s.image ?? null);
  for (const e of events) {
    const c = containerFromFieldPath(e.regarding.fieldPath);
    if (c) addContainer(c.name, c.init, null);
  }

  // Runtime and kubelet log records of this pod.
  const statusIds = statuses(latest)
    .flatMap(({ s }) => [stripScheme(s.containerID), stripScheme(s.lastState?.terminated?.containerID)])
    .filter((x): x is string => !!x);
  const allRecords = [...state.logs.values()];
  const records =
    opts.attributeLogs === false || !latest
      ? allRecords
      : attributeToPod(allRecords, {
          namespace: podRef.namespace ?? '',
          name: podRef.name ?? '',
          uid: podRef.uid ?? '',
          containerIds: statusIds,
          images: containers.map((c) => c.image).filter((x): x is string => !!x),
          // Per-container images bound each pull by that container's CreateContainer, so a later
          // pod's pull of the same image is not taken for this pod's.
          containers: containers.flatMap((c) => (c.image ? [{ name: c.name, image: c.image }] : [])),
        });
  const cri = records
    .filter((r): r is CriRecord => r.type === 'cri')
    .sort((a, b) => a.time.key.localeCompare(b.time.key) || a.raw.localeCompare(b.raw));
  const kubeletRecs = records
    .filter((r): r is KubeletRecord => r.type === 'kubelet')
    .sort((a, b) => a.time.key.localeCompare(b.time.key) || a.raw.localeCompare(b.raw));

  const node = latest?.spec?.nodeName ?? scheduledNodeFromEvents(events) ?? null;
  const runtimeVersion = node
    ? (state.nodes.get(node) ?? null)
    : state.nodes.size === 1
      ? ([...state.nodes.values()][0] ?? null)
      : null;
  const runtime: RuntimeName | null = runtimeFrom(runtimeVersion, cri, statuses(latest));

  const drafts: StepDraft[] = [];
  const draft = (kind: StepKind, container: string | null = null, init = false, attempt = 0): StepDraft => {
    let d = drafts.find((x) => x.kind === kind && x.container === container && x.attempt === attempt);
    if (!d) {
      d = {
        kind,
        container,
        init,
        attempt,
        starts: [],
        ends: [],
        status: 'done',
        message: '',
        yamlPath: null,
        count: 1,
      };
      drafts.push(d);
    }
    return d;
  };
  const byReason = (reason: string, container?: string | null): NormalizedEvent[] =>
    events
      .filter(
        (e) =>
          e.reason === reason &&
          (container === undefined || (containerFromFieldPath(e.regarding.fieldPath)?.name ?? null) === container),
      )
      .sort((a, b) => (a.first?.key ?? '').localeCompare(b.first?.key ?? '') || a.uid.localeCompare(b.uid));
  const eventCands = (evs: readonly NormalizedEvent[], which: 'first' | 'last'): Candidate[] =>
    evs.flatMap((e) => (e[which] ? [{ time: e[which] as Instant, source: 'event' as const }] : []));
  const earliest = (evs: readonly NormalizedEvent[]): Candidate[] => eventCands(evs, 'first').slice(0, 1);
  const latestOf = (evs: readonly NormalizedEvent[]): Candidate[] => {
    const c = eventCands(evs, 'last').sort((a, b) => a.time.key.localeCompare(b.time.key));
    return c.slice(-1);
  };
  const sumCount = (evs: readonly NormalizedEvent[]): number => evs.reduce((n, e) => n + e.count, 0);
  const lastMessage = (evs: readonly NormalizedEvent[]): string =>
    [...evs].sort((a, b) => (a.last?.key ?? '').localeCompare(b.last?.key ?? '') || a.uid.localeCompare(b.uid)).pop()
      ?.message ?? '';

  // 1. created
  const created = parseInstant(meta.creationTimestamp, 's');
  if (created) {
    const d = draft('created');
    d.ends.push({ time: created, source: 'pod' });
    const first = snaps[0];
    if (first && watchRefines(first.receivedAt, created) && first.receivedAt)
      d.ends.push({ time: first.receivedAt, source: 'watch' });
    d.message = meta.ownerReferences?.[0]?.kind
      ? `created by ${meta.ownerReferences[0].kind} ${meta.ownerReferences[0].name ?? ''}`.trim()
      : 'pod stored';
    d.yamlPath = 'metadata.name';
  }
  const createdTime = best(drafts.find((d) => d.kind === 'created')?.ends ?? []);

  // 2. scheduling-failed
  const failedSched = byReason('FailedScheduling');
  const schedCond = cond(latest, 'PodScheduled');
  if (failedSched.length > 0 || (schedCond?.status === 'False' && schedCond.reason === 'Unschedulable')) {
    const d = draft('scheduling-failed');
    d.status = 'failed';
    d.count = Math.max(1, sumCount(failedSched));
    d.starts.push(...earliest(failedSched));
    d.ends.push(...latestOf(failedSched));
    if (failedSched.length === 0 && schedCond?.time) d.ends.push({ time: schedCond.time, source: 'pod' });
    if (createdTime && d.starts.length === 0) d.starts.push(createdTime);
    d.message = lastMessage(failedSched) || schedCond?.message || '';
  }

  // 3. scheduled (bind)
  const scheduledEv = byReason('Scheduled');
  const bindObserved = firstObserved(snaps, (p) => !!p.spec?.nodeName);
  if (scheduledEv.length > 0 || node || schedCond?.status === 'True') {
    const d = draft('scheduled');
    d.ends.push(...earliest(scheduledEv));
    if (schedCond?.status === 'True' && schedCond.time) d.ends.push({ time: schedCond.time, source: 'pod' });
    const apiBind = best(d.ends)?.time ?? null;
    if (bindObserved?.receivedAt && (watchRefines(bindObserved.receivedAt, apiBind) || !apiBind))
      d.ends.push({ time: bindObserved.receivedAt, source: 'watch' });
    if (createdTime) d.starts.push(createdTime);
    d.message = scheduledEv[0]?.message ?? (node ? `assigned to ${node}` : '');
    d.yamlPath = latest?.spec?.nodeSelector ? 'spec.nodeSelector' : null;
  }
  const bindTime = best(drafts.find((d) => d.kind === 'scheduled')?.ends ?? []);

  // 4. kubelet-accepted
  const startTime = parseInstant(latest?.status?.startTime, 's');
  const syncAdd = kubeletRecs.find((r) => r.event === 'syncloop-add');
  if (startTime || syncAdd) {
    const d = draft('kubelet-accepted');
    if (startTime) d.ends.push({ time: startTime, source: 'pod' });
    if (syncAdd) d.ends.push({ time: syncAdd.time, source: 'kubelet-log' });
    if (bindTime) d.starts.push(bindTime);
    d.message = node ? `kubelet on ${node} admitted the pod` : 'kubelet admitted the pod';
  }

  // 5. volumes
  const mountFails = byReason('FailedMount');
  if (mountFails.length > 0) {
    const d = draft('volume-failed');
    d.status = cond(latest, 'Ready')?.status === 'True' ? 'done' : 'failed';
    d.count = sumCount(mountFails);
    d.starts.push(...earliest(mountFails));
    d.ends.push(...latestOf(mountFails));
    d.message = lastMessage(mountFails);
    const vol = /volume "([^"]+)"/.exec(d.message)?.[1];
    const vi = vol ? (latest?.spec?.volumes ?? []).findIndex((v) => v?.name === vol) : -1;
    d.yamlPath = vi >= 0 ? `spec.volumes[${vi}]` : 'spec.volumes';
  }

  // 6. sandbox
  const sbStarts = cri.filter((r) => r.rpc === 'RunPodSandbox' && r.phase === 'start');
  const sbEnds = cri.filter((r) => r.rpc === 'RunPodSandbox' && r.phase === 'end');
  const sbFails = cri.filter((r) => r.rpc === 'RunPodSandbox' && r.phase === 'failed');
  const readyToStart = cond(latest, 'PodReadyToStartContainers') ?? cond(latest, 'PodHasNetwork');
  const sandboxEvFails = byReason('FailedCreatePodSandBox');
  const attempts = Math.max(sbStarts.length, sbEnds.length, 1);
  if (sbStarts.length > 0 || sbEnds.length > 0 || readyToStart?.status === 'True') {
    for (let a = 0; a < attempts; a++) {
      const s = sbStarts[a];
      const e = sbEnds[a];
      const f = sbFails.find(
        (x) => s && x.time.key >= s.time.key && (!sbStarts[a + 1] || x.time.key < (sbStarts[a + 1]?.time.key ?? '')),
      );
      if (!s && !e && a > 0) continue;
      const d = draft(f ? 'sandbox-failed' : 'sandbox-created', null, false, a);
      if (s) d.starts.push({ time: s.time, source: 'runtime-log' });
      if (e) d.ends.push({ time: e.time, source: 'runtime-log' });
      if (f) {
        d.ends.push({ time: f.time, source: 'runtime-log' });
        d.status = 'failed';
        d.message = f.error ?? f.raw;
      } else d.message = e?.sandboxId ? `sandbox ${e.sandboxId.slice(0, 12)}` : 'pod sandbox and network ready';
      if (a === 0 && readyToStart?.status === 'True' && readyToStart.time && !f)
        d.ends.push({ time: readyToStart.time, source: 'pod' });
      if (a === 0 && d.starts.length === 0) {
        const acc = best(drafts.find((x) => x.kind === 'kubelet-accepted')?.ends ?? []);
        if (acc) d.starts.push(acc);
      }
    }
  }
  if (sandboxEvFails.length > 0 && !drafts.some((d) => d.kind === 'sandbox-failed')) {
    const d = draft('sandbox-failed');
    d.status = 'failed';
    d.count = sumCount(sandboxEvFails);
    d.starts.push(...earliest(sandboxEvFails));
    d.ends.push(...latestOf(sandboxEvFails));
    d.message = lastMessage(sandboxEvFails);
  }

  // 7. per container
  const status = statuses(latest);
  const usedPulls = new Set<CriRecord>();
  const createEnds = cri.filter((r) => r.rpc === 'CreateContainer' && r.phase === 'end');
  const createStarts = cri.filter((r) => r.rpc === 'CreateContainer' && r.phase === 'start');
  for (const c of containers) {
    const base = containerPath(latest ?? {}, c.name, c.init);
    const st = status.find((x) => x.s.name === c.name && x.init === c.init)?.s;
    const waiting = st?.state?.waiting?.reason ?? '';
    const imageNorm = c.image ? normalizeImageRef(c.image) : null;
    const pulling = byReason('Pulling', c.name);
    const pulled = byReason('Pulled', c.name);
    const failedEv = byReason('Failed', c.name);
    const backOff = byReason('BackOff', c.name);
    const pullStart = cri.find(
      (r) =>
        r.rpc === 'PullImage' &&
        r.phase === 'start' &&
        !usedPulls.has(r) &&
        !!r.image &&
        normalizeImageRef(r.image) === imageNorm,
    );
    const pullEnd = pullStart
      ? cri.find(
          (r) =>
            r.rpc === 'PullImage' &&
            (r.phase === 'end' || r.phase === 'failed') &&
            r.image === pullStart.image &&
            r.time.key >= pullStart.time.key,
        )
      : undefined;
    if (pullStart) usedPulls.add(pullStart);
    if (pullEnd) usedPulls.add(pullEnd);
    const imagePath = base ? `${base}.image` : null;
    const imageFailed =
      ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable'].includes(
        waiting,
      ) || pullEnd?.phase === 'failed';
    const pullFailEvents = failedEv.filter((e) => imageFailed || /pull|image/i.test(e.message));

    if (pulling.length > 0 || pullStart) {
      const d = draft(imageFailed && !pulled.length ? 'image-pull-failed' : 'image-pull', c.name, c.init);
      d.starts.push(...earliest(pulling));
      if (pullStart) d.starts.push({ time: pullStart.time, source: 'runtime-log' });
      const okPulled = pulled.filter((e) => !imageFailed || e.first);
      if (d.kind === 'image-pull') {
        d.ends.push(...earliest(okPulled));
        if (pullEnd && pullEnd.phase === 'end') d.ends.push({ time: pullEnd.time, source: 'runtime-log' });
        d.status = d.ends.length > 0 ? 'done' : 'in-progress';
        d.message =
          okPulled[0]?.message ??
          (pullEnd?.imageRef ? `image ${pullEnd.imageRef.slice(0, 19)}` : `pulling ${c.image ?? ''}`.trim());
      } else {
        d.ends.push(...latestOf(pullFailEvents));
        if (pullEnd) d.ends.push({ time: pullEnd.time, source: 'runtime-log' });
        d.status = 'failed';
        d.count = Math.max(1, sumCount(pulling));
        d.message =
          lastMessage(pullFailEvents.filter((e) => !/^Error: /.test(e.message))) ||
          pullEnd?.error ||
          st?.state?.waiting?.message ||
          waiting;
      }
      d.yamlPath = imagePath;
    } else if (pulled.length > 0) {
      const d = draft('image-present', c.name, c.init);
      d.ends.push(...earliest(pulled));
      d.message = pulled[0]?.message ?? '';
      d.yamlPath = imagePath;
    } else if (imageFailed) {
      const d = draft('image-pull-failed', c.name, c.init);
      d.status = 'failed';
      d.ends.push(...latestOf(pullFailEvents));
      d.message = st?.state?.waiting?.message || waiting;
      d.yamlPath = imagePath;
    }

    // Image back-off (ImagePullBackOff) belongs to the pull; crash back-off to the container.
    const imageBackOff =
      waiting === 'ImagePullBackOff' ||
      (waiting !== 'CrashLoopBackOff' && backOff.some((e) => /pull|image/i.test(e.message)) && !st?.state?.running);

    // create / start, per attempt: runtime logs give one pair per attempt; events give the first.
    const myCreateStarts = createStarts.filter((r) => r.container?.name === c.name && sandboxMatches(r, sbEnds));
    const myCreateEnds = createEnds.filter((r) => r.container?.name === c.name && sandboxMatches(r, sbEnds));
    const attemptsSeen = new Set<number>([...myCreateStarts, ...myCreateEnds].map((r) => r.container?.attempt ?? 0));
    const createdEv = byReason('Created', c.name);
    const startedEv = byReason('Started', c.name);
    if (createdEv.length > 0) attemptsSeen.add(0);
    const running = st?.state?.running?.startedAt ?? st?.state?.terminated?.startedAt;
    if (startedEv.length > 0 || running) attemptsSeen.add(0);
    for (const attempt of [...attemptsSeen].sort((a, b) => a - b)) {
      const cs = myCreateStarts.find((r) => (r.container?.attempt ?? 0) === attempt);
      const ce = myCreateEnds.find((r) => (r.container?.attempt ?? 0) === attempt);
      const cid = ce?.containerId ?? null;
      const cf = cri.find(
        (r) =>
          r.rpc === 'CreateContainer' &&
          r.phase === 'failed' &&
          r.container?.name === c.name &&
          (r.container?.attempt ?? 0) === attempt,
      );
      const cd = draft(cf ? 'container-failed' : 'container-created', c.name, c.init, attempt);
      if (cs) cd.starts.push({ time: cs.time, source: 'runtime-log' });
      if (ce) cd.ends.push({ time: ce.time, source: 'runtime-log' });
      if (cf) {
        cd.ends.push({ time: cf.time, source: 'runtime-log' });
        cd.status = 'failed';
        cd.message = cf.error ?? 'CreateContainer failed';
      }
      if (attempt === 0) cd.ends.push(...earliest(createdEv));
      if (!cf) cd.message = cid ? `container ${cid.slice(0, 12)}` : (createdEv[0]?.message ?? '');
      cd.yamlPath = base;
      if (attempt === 0 && cd.starts.length === 0) {
        const prev = best(
          drafts.find((x) => x.container === c.name && (x.kind === 'image-pull' || x.kind === 'image-present'))?.ends ??
            [],
        );
        if (prev) cd.starts.push(prev);
      }
      if (cf) continue;

      const ss = cid
        ? cri.find((r) => r.rpc === 'StartContainer' && r.phase === 'start' && r.containerId === cid)
        : undefined;
      const se = cid
        ? cri.find(
            (r) => r.rpc === 'StartContainer' && (r.phase === 'end' || r.phase === 'failed') && r.containerId === cid,
          )
        : undefined;
      const startedAtAttempt0 = attempt === 0;
      const currentId = stripScheme(st?.containerID);
      const apiStarted =
        (cid && currentId === cid) || (!cid && attempt === 0 && (st?.restartCount ?? 0) === 0)
          ? parseInstant(st?.state?.running?.startedAt ?? st?.state?.terminated?.startedAt, 's')
          : cid && stripScheme(st?.lastState?.terminated?.containerID) === cid
            ? parseInstant(st?.lastState?.terminated?.startedAt, 's')
            : null;
      if (ss || se || apiStarted || (startedAtAttempt0 && startedEv.length > 0)) {
        const failedStart = se?.phase === 'failed';
        const sd = draft(failedStart ? 'container-failed' : 'container-started', c.name, c.init, attempt);
        if (ss) sd.starts.push({ time: ss.time, source: 'runtime-log' });
        if (se) sd.ends.push({ time: se.time, source: 'runtime-log' });
        if (apiStarted) sd.ends.push({ time: apiStarted, source: 'pod' });
        if (startedAtAttempt0) sd.ends.push(...earliest(startedEv));
        const runObs = firstObserved(snaps, (p) => {
          const s2 = statuses(p).find((x) => x.s.name === c.name && x.init === c.init)?.s;
          return !!s2?.state?.running && (!cid || stripScheme(s2.containerID) === cid);
        });
        if (runObs?.receivedAt && watchRefines(runObs.receivedAt, apiStarted))
          sd.ends.push({ time: runObs.receivedAt, source: 'watch' });
        if (sd.starts.length === 0) {
          const prev = best(
            drafts.find((x) => x.kind === 'container-created' && x.container === c.name && x.attempt === attempt)
              ?.ends ?? [],
          );
          if (prev) sd.starts.push(prev);
        }
        sd.status = failedStart ? 'failed' : 'done';
        sd.message = failedStart
          ? (se?.error ?? 'StartContainer failed')
          : cid
            ? `container ${cid.slice(0, 12)}`
            : (startedEv[0]?.message ?? '');
        sd.yamlPath = base;
      }
    }

    // Terminations: a failed exit of the current or previous run.
    for (const t of [st?.lastState?.terminated, st?.state?.terminated]) {
      if (!t || (t.exitCode ?? 0) === 0) continue;
      const tid = stripScheme(t.containerID);
      const attempt = tid
        ? (createEnds.find((r) => r.containerId === tid)?.container?.attempt ??
          (t === st?.state?.terminated ? (st?.restartCount ?? 0) : Math.max(0, (st?.restartCount ?? 1) - 1)))
        : 0;
      const d = draft('container-failed', c.name, c.init, attempt);
      const fin = parseInstant(t.finishedAt, 's');
      if (fin) d.ends.push({ time: fin, source: 'pod' });
      const sAt = parseInstant(t.startedAt, 's');
      if (sAt) d.starts.push({ time: sAt, source: 'pod' });
      d.status = 'failed';
      d.message = `exit code ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''}`;
      d.yamlPath = base;
    }
    const waitingMsg = st?.state?.waiting?.message ?? '';
    if (['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'].includes(waiting)) {
      const d = draft('container-failed', c.name, c.init, st?.restartCount ?? 0);
      d.status = 'failed';
      const evs = failedEv.filter((e) => !/pull|image/i.test(e.message));
      d.count = Math.max(1, sumCount(evs.filter((e) => e.message.startsWith('Error:'))));
      d.starts.push(...earliest(evs));
      d.ends.push(...latestOf(evs));
      d.message = waitingMsg || lastMessage(evs) || waiting;
      d.yamlPath = base;
    }

    // back-off ×N
    if (backOff.length > 0) {
      const d = draft('back-off', c.name, c.init);
      d.count = sumCount(backOff);
      d.starts.push(...earliest(backOff));
      d.ends.push(...latestOf(backOff));
      d.status = waiting === 'CrashLoopBackOff' || waiting === 'ImagePullBackOff' ? 'failed' : 'done';
      d.message = lastMessage(backOff);
      d.yamlPath = imageBackOff ? imagePath : base;
    }

    // probes
    const unhealthy = byReason('Unhealthy', c.name);
    if (unhealthy.length > 0) {
      const d = draft('probe-failed', c.name, c.init);
      d.count = sumCount(unhealthy);
      d.starts.push(...earliest(unhealthy));
      d.ends.push(...latestOf(unhealthy));
      d.status = st?.ready ? 'done' : 'failed';
      d.message = lastMessage(unhealthy);
      const probe = /^Startup/i.test(d.message)
        ? 'startupProbe'
        : /^Liveness/i.test(d.message)
          ? 'livenessProbe'
          : 'readinessProbe';
      d.yamlPath = base ? `${base}.${probe}` : null;
    }
  }

  // 8. conditions: whole seconds from the API, refined by the moment our watch saw them turn True.
  for (const [kind, type] of [
    ['initialized', 'Initialized'],
    ['containers-ready', 'ContainersReady'],
    ['ready', 'Ready'],
  ] as const) {
    const c = cond(latest, type);
    if (c?.status !== 'True' || !c.time) continue;
    const d = draft(kind);
    d.ends.push({ time: c.time, source: 'pod' });
    const obs = firstObserved(snaps, (p) => cond(p, type)?.status === 'True');
    if (obs?.receivedAt && watchRefines(obs.receivedAt, c.time)) d.ends.push({ time: obs.receivedAt, source: 'watch' });
    d.message = `${type}=True`;
  }

  const nInit = containers.filter((c) => c.init).length;
  const steps = drafts.map((d) => finalize(d)).filter((s): s is Step => s !== null);
  const rank = (s: Step): number => stepRank(s, containers, nInit);
  steps.sort((a, b) => {
    const ta = a.start ?? a.end;
    const tb = b.start ?? b.end;
    const sa = ta ? ta.key.slice(0, 19) : '9999';
    const sb = tb ? tb.key.slice(0, 19) : '9999';
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    const ka = ta?.key ?? '';
    const kb = tb?.key ?? '';
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });

  const capacity = [...state.capacity.values()];
  const diagnosis: Diagnosis[] = latest
    ? diagnose(latest, events, ownerEvents).map((d) =>
        withFit(d, capacity.length > 0 ? nodeFit(d, latest, capacity) : null),
      )
    : [];
  const notes = buildNotes(state, steps, latest, events, createdTime?.time ?? null);
  const identity: PodIdentity = { namespace: podRef.namespace, name: podRef.name, uid: podRef.uid, node };
  return { pod: identity, runtime, runtimeVersion, phase: phaseOf(latest, steps), steps, diagnosis, notes, containers };
}

function sandboxMatches(r: CriRecord, sbEnds: readonly CriRecord[]): boolean {
  if (!r.sandboxId || sbEnds.length === 0) return true;
  return sbEnds.some((s) => s.sandboxId === r.sandboxId);
}

function scheduledNodeFromEvents(events: readonly NormalizedEvent[]): string | null {
  const e = events.find((x) => x.reason === 'Scheduled');
  const m = e ? / to (\S+?)\.?$/.exec(e.message.trim()) : null;
  return m?.[1] ?? null;
}

function runtimeFrom(
  version: string | null,
  cri: readonly CriRecord[],
  sts: readonly { s: ContainerStatus }[],
): RuntimeName | null {
  const v = version ?? sts.map(({ s }) => s.containerID ?? '').find((x) => x.includes('://')) ?? '';
  if (/^containerd/i.test(v)) return 'containerd';
  if (/^cri-o/i.test(v)) return 'cri-o';
  return cri[0]?.runtime ?? null;
}

function finalize(d: StepDraft): Step | null {
  const s = best(d.starts);
  const e = best(d.ends);
  if (!s && !e) return null;
  let start = s?.time ?? e?.time ?? null;
  let end = e?.time ?? null;
  // A start taken from another step can be later than this step's own end when one of them is whole
  // seconds; the end is the better-known moment then.
  if (start && end && start.key > end.key) start = end;
  if (d.status === 'in-progress') end = null;
  const primary = e ?? s;
  const used = new Set([s, e]);
  const corroboration: Corroboration[] = [...d.starts, ...d.ends]
    .filter((c) => !used.has(c))
    .map((c) => ({
      source: c.source,
      precision: c.time.precision,
      start: d.starts.includes(c) ? formatInstant(c.time) : null,
      end: d.ends.includes(c) ? formatInstant(c.time) : null,
    }))
    .filter((c, i, arr) => arr.findIndex((x) => x.source === c.source && x.start === c.start && x.end === c.end) === i)
    .sort((a, b) => `${a.source}${a.start}${a.end}`.localeCompare(`${b.source}${b.start}${b.end}`));
  const { from, to } = ARROWS[d.kind];
  const precision: Precision = primary?.time.precision ?? 's';
  const id = `${d.kind}${d.container ? `:${d.init ? 'init/' : ''}${d.container}` : ''}${d.attempt > 0 ? `#${d.attempt}` : ''}`;
  return {
    id,
    kind: d.kind,
    actor: to,
    from,
    to,
    container: d.container,
    init: d.init,
    attempt: d.attempt,
    start,
    end,
    status: d.status,
    source: primary?.source ?? 'pod',
    precision,
    message: d.message,
    yamlPath: d.yamlPath,
    count: d.count,
    corroboration,
  };
}

const CONTAINER_OFFSET: Partial<Record<StepKind, number>> = {
  'image-pull': 0,
  'image-present': 0,
  'image-pull-failed': 1,
  'container-created': 3,
  'container-started': 4,
  'probe-failed': 5,
  'container-failed': 6,
  'back-off': 7,
};
const POD_RANK: Partial<Record<StepKind, number>> = {
  created: 0,
  'scheduling-failed': 1,
  scheduled: 2,
  'kubelet-accepted': 3,
  'volume-failed': 4,
  'sandbox-created': 6,
  'sandbox-failed': 7,
  'containers-ready': 100_000,
  ready: 100_001,
};

function stepRank(s: Step, containers: readonly { name: string; init: boolean }[], nInit: number): number {
  if (s.kind === 'initialized') return nInit > 0 ? 10 + nInit * 20 - 1 : 5;
  if (s.container !== null) {
    const i = containers.findIndex((c) => c.name === s.container && c.init === s.init);
    return 10 + Math.max(0, i) * 20 + (CONTAINER_OFFSET[s.kind] ?? 9);
  }
  return POD_RANK[s.kind] ?? 50_000;
}

function phaseOf(pod: Pod | null, steps: readonly Step[]): TracePhase {
  if (!pod) return 'pending';
  if (pod.status?.phase === 'Succeeded') return 'succeeded';
  if (pod.status?.phase === 'Failed') return 'failed';
  if (cond(pod, 'Ready')?.status === 'True') return 'ready';
  const waiting = statuses(pod).map(({ s }) => s.state?.waiting?.reason ?? '');
  if (waiting.some((w) => FAILED_WAITING.has(w))) return 'failed';
  // Between two restarts a crashing container is `terminated` with its exit code, not yet
  // CrashLoopBackOff; a container that already restarted after a failed exit is crash-looping too.
  const crashed = statuses(pod).some(({ s }) => {
    const now = s.state?.terminated;
    const last = s.lastState?.terminated;
    return (
      (!!now && (now.exitCode ?? 0) !== 0) ||
      (!s.ready && (s.restartCount ?? 0) > 0 && !!last && (last.exitCode ?? 0) !== 0)
    );
  });
  if (crashed) return 'failed';
  if (steps.some((s) => s.status === 'failed' && (s.kind === 'sandbox-failed' || s.kind === 'volume-failed')))
    return 'failed';
  if (!pod.spec?.nodeName) return 'pending';
  if (!steps.some((s) => s.kind === 'kubelet-accepted')) return 'scheduled';
  return 'starting';
}

function buildNotes(
  state: TraceState,
  steps: readonly Step[],
  pod: Pod | null,
  events: readonly NormalizedEvent[],
  created: Instant | null,
): TraceNote[] {
  const notes: TraceNote[] = [...state.notes.values()];
  // Clock skew: a node-side time well before the apiserver stored the pod means the clocks disagree.
  if (created) {
    let worst = 0;
    for (const s of steps) {
      if (s.source !== 'runtime-log' && s.source !== 'kubelet-log') continue;
      for (const t of [s.start, s.end]) {
        // creationTimestamp is truncated to the second, so anything inside that second is fine.
        if (t) worst = Math.min(worst, diffMs(created, t));
      }
    }
    if (worst < -1000) {
      notes.push({
        kind: 'clock-skew',
        message: `Node log times are up to ${(-worst / 1000).toFixed(1)}s earlier than the pod's creation on the apiserver: the node clock and the control-plane clock disagree, so node-side durations are right but their placement against API times is not.`,
      });
    }
  }
  if (pod?.spec?.nodeName && events.length === 0 && state.events.size === 0) {
    notes.push({
      kind: 'events-expired',
      message:
        'No events were found for this pod. Events expire after 1 h by default (kube-apiserver --event-ttl), so an older pod has lost them; times come from the pod status only.',
    });
  }
  if (events.some((e) => e.reason === 'SandboxChanged')) {
    notes.push({
      kind: 'disturbance',
      message: 'The pod sandbox changed and was re-created (node reboot, runtime restart or network loss).',
    });
  }
  return notes.sort((a, b) => `${a.kind}|${a.message}`.localeCompare(`${b.kind}|${b.message}`));
}
