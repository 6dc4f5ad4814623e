// Why a container stopped: read from its terminated states and its own events, most specific first.
//   start-error       the runtime could not start the process (exit 128 StartError, RunContainerError)
//   oom-killed        the kernel killed it at its memory limit (OOMKilled)
//   liveness-killed   the kubelet killed it because its liveness probe failed
//   crash-loop        it ran and exited more than once, and the kubelet keeps restarting it
//   container-exited  it ran and exited once (restartPolicy Never, a Job's pod, or a first restart)
// Only a container that really ran and exited more than once is a crash loop.

import type { ContainerState, ContainerStatus, Pod } from '../k8s-types.js';
import type { Diagnosis, NormalizedEvent } from '../model.js';
import { containerSpec, podContainerPath } from './paths.js';
import { readStartFailure } from './start-error.js';

type Terminated = NonNullable<ContainerState['terminated']>;

interface ExitContext {
  readonly pod: Pod;
  readonly status: ContainerStatus;
  readonly init: boolean;
  /** This container's events (Killing, Unhealthy…). */
  readonly events: readonly NormalizedEvent[];
}

/** Waiting reasons of a container the runtime (or a lifecycle hook) could not start. */
const START_WAITING = new Set(['RunContainerError', 'StartError', 'PostStartHookError', 'PreStartHookError']);

/**
 * A waiting container whose process could not be started. CRI-O runs `runc create` inside
 * CreateContainer, and runc looks the executable up there, so a missing or non-executable command
 * shows as `CreateContainerError: container create failed: runc create failed: unable to start
 * container process: exec: "x": …` instead of containerd's StartError/RunContainerError at start.
 */
export function isStartWaiting(waiting: { reason?: string; message?: string } | undefined): boolean {
  const reason = waiting?.reason ?? '';
  if (START_WAITING.has(reason)) return true;
  return reason === 'CreateContainerError' && readStartFailure(waiting?.message ?? '', null) !== null;
}

/**
 * An exit that is a failure. For a container restarted whatever its exit code (a native sidecar, an
 * app container under restartPolicy Always) a clean exit is one too once it was restarted: it was
 * meant to keep running, and the kubelet backs off restarting it like any crash.
 */
function failed(t: Terminated | undefined, anyExit = false): t is Terminated {
  return !!t && ((t.exitCode ?? 0) !== 0 || t.reason === 'OOMKilled' || t.reason === 'StartError' || anyExit);
}

/** Is the container restarted after any exit, even code 0? */
function restartsAlways(pod: Pod, s: ContainerStatus, init: boolean): boolean {
  if (init) return containerSpec(pod, s.name ?? null)?.restartPolicy === 'Always';
  return (pod.spec?.restartPolicy ?? 'Always') === 'Always';
}

/** The process never ran: the runtime's exit 128 with its own error text. */
function isStartError(t: Terminated): boolean {
  return t.reason === 'StartError' || (t.exitCode === 128 && /OCI runtime|runc|crun|exec:/i.test(t.message ?? ''));
}

function exitText(t: Terminated): string {
  return `exit code ${t.exitCode ?? '?'}${t.reason ? `, ${t.reason}` : ''}`;
}

/** The terminated state that explains the container now: the current one, else the last run's while it is not back and ready. */
function relevantExit(s: ContainerStatus, anyExit: boolean): Terminated | null {
  const restarted = (s.restartCount ?? 0) > 0;
  const now = s.state?.terminated;
  if (failed(now, anyExit && restarted)) return now;
  const last = s.lastState?.terminated;
  const waiting = s.state?.waiting?.reason ?? '';
  const stuck = waiting === 'CrashLoopBackOff' || isStartWaiting(s.state?.waiting) || (!s.ready && !s.state?.waiting);
  return stuck && restarted && failed(last, anyExit) ? last : null;
}

/** What every cause of one container reads: the container, its failing exit, where its fields are. */
interface Reading {
  readonly ctx: ExitContext;
  readonly name: string | null;
  /** The exit that explains the container now (see relevantExit), or null. */
  readonly t: Terminated | null;
  readonly restarts: number;
  /** Restarted whatever its exit code (a native sidecar, restartPolicy Always). */
  readonly anyExit: boolean;
  /** `spec.containers[i].<field>` (the container itself without a field), or null when not in the spec. */
  readonly at: (field: string | null) => string | null;
  /** " It was tried N times." after a restart, else ''. */
  readonly again: string;
}

/** The cause of the container's failed exits (or failed start), or null when it has none. */
export function exitCause(ctx: ExitContext): Diagnosis | null {
  const { pod, status: s, init } = ctx;
  const base = podContainerPath(pod, s.name ?? null, init);
  const anyExit = restartsAlways(pod, s, init);
  const restarts = s.restartCount ?? 0;
  const r: Reading = {
    ctx,
    name: s.name ?? null,
    t: relevantExit(s, anyExit),
    restarts,
    anyExit,
    at: (field) => (base ? (field ? `${base}.${field}` : base) : null),
    again: restarts > 0 ? ` It was tried ${restarts + 1} times.` : '',
  };
  const { t } = r;
  if ((t && isStartError(t)) || isStartWaiting(s.state?.waiting)) return startErrorCause(r);
  if (t?.reason === 'OOMKilled') return oomCause(r, t);
  const liveness = livenessCause(r);
  if (liveness) return liveness;
  if (!t) return null;
  const exits =
    restarts + (failed(s.state?.terminated, anyExit) || s.state?.waiting?.reason === 'CrashLoopBackOff' ? 1 : 0);
  return exits >= 2 ? crashLoopCause(r, t) : exitedOnce(r, t);
}

/** The runtime (or a lifecycle hook) could not start the process; its error names the field. */
function startErrorCause(r: Reading): Diagnosis {
  const { t, ctx } = r;
  const waiting = ctx.status.state?.waiting;
  const text = (isStartWaiting(waiting) ? waiting?.message : undefined) || t?.message || '';
  const hookReason = /PostStartHook|PreStartHook/.exec(waiting?.reason ?? '')?.[0];
  const hook = hookReason === 'PostStartHook' ? 'postStart' : hookReason === 'PreStartHook' ? 'preStart' : null;
  const f = hook ? null : readStartFailure(text, containerSpec(ctx.pod, r.name));
  const why = hook ? `its ${hook} hook failed` : (f?.what ?? 'the runtime could not start its process');
  return {
    container: r.name,
    nodes: null,
    cause: 'start-error',
    message: `Container ${r.name ?? '?'} could not be started: ${why}. The process never ran (${t ? exitText(t) : (waiting?.reason ?? 'StartError')}).${r.again}`,
    suggestion:
      f?.suggestion ??
      (hook
        ? `Fix lifecycle.${hook} of the container (the command must exist in the image and exit 0).`
        : 'Read the runtime error below: check command, args, workingDir and volumeMounts against the image.'),
    yamlPath: r.at(hook ? `lifecycle.${hook}` : (f?.field ?? null)),
    evidence: text || t?.reason || waiting?.reason || '',
  };
}

/**
 * The kubelet killed the container because its liveness probe failed. A liveness kill repeats
 * whenever the probe fails again, so it stays a cause while the restarted container runs (it may even
 * be Ready for a while in between): the last run's exit stands when the current one is fine.
 */
function livenessCause(r: Reading): Diagnosis | null {
  const { ctx } = r;
  const killed = ctx.events.some((e) => e.reason === 'Killing' && /liveness probe/i.test(e.message));
  const lastRun = ctx.status.lastState?.terminated;
  const k = r.t ?? (failed(lastRun) ? lastRun : null);
  if (!killed || !k) return null;
  const probes = ctx.events.filter((e) => e.reason === 'Unhealthy' && /^Liveness/i.test(e.message));
  const n = probes.reduce((a, e) => a + e.count, 0);
  const so = r.restarts > 0 ? ` (${r.restarts} restart${r.restarts === 1 ? '' : 's'} so far)` : '';
  return {
    container: r.name,
    nodes: null,
    cause: 'liveness-killed',
    message: `The liveness probe of container ${r.name ?? '?'} failed${n > 0 ? ` ${n}×` : ''}, so the kubelet killed it (${exitText(k)}) and restarted it${so}. The program itself did not crash.`,
    suggestion:
      'Check livenessProbe against what the app serves (path, port, command) and give it time: a startupProbe, or a larger initialDelaySeconds, periodSeconds or failureThreshold.',
    yamlPath: r.at('livenessProbe'),
    evidence: probes[probes.length - 1]?.message ?? k.message ?? '',
  };
}

/** It ran and exited more than once, and the kubelet backs off restarting it. */
function crashLoopCause(r: Reading, t: Terminated): Diagnosis {
  const { ctx } = r;
  const what = ctx.init ? (r.anyExit ? 'Sidecar container' : 'Init container') : 'Container';
  const clean =
    (t.exitCode ?? 0) === 0
      ? ` It exits cleanly, but ${ctx.init ? 'a native sidecar (restartPolicy: Always)' : 'under restartPolicy Always a container'} is meant to keep running.`
      : '';
  return {
    container: r.name,
    nodes: null,
    cause: 'crash-loop',
    message: `${what} ${r.name ?? '?'} keeps exiting (last: ${exitText(t)}); restarted ${r.restarts} time(s), the kubelet is backing off.${clean}`,
    suggestion: `Read its last output with \`kubectl logs ${ctx.pod.metadata?.name ?? 'POD'} -c ${r.name ?? 'CONTAINER'} --previous\`; check command, args and required config.`,
    yamlPath: r.at(null),
    evidence: ctx.status.state?.waiting?.message || t.message || t.reason || '',
  };
}

/** The kernel killed it at its memory limit (or, without one, for the node's lack of memory). */
function oomCause(r: Reading, t: Terminated): Diagnosis {
  const limit = containerSpec(r.ctx.pod, r.name)?.resources?.limits?.memory;
  const code = `OOMKilled, exit code ${t.exitCode ?? 137}`;
  return {
    container: r.name,
    nodes: null,
    cause: 'oom-killed',
    message: limit
      ? `Container ${r.name ?? '?'} was killed by the kernel for using more than its memory limit of ${limit} (${code}).${r.again}`
      : `Container ${r.name ?? '?'} was killed by the kernel for lack of memory (${code}); it has no memory limit, so the node itself ran short.${r.again}`,
    suggestion: limit
      ? `Raise resources.limits.memory above what the program needs at its peak (now ${limit}), or make it use less; \`kubectl top pod\` or the container's metrics show its usage.`
      : 'Set resources.requests.memory to what it needs, so the scheduler places it where that much is free, and a limit to contain it.',
    yamlPath: r.at(limit ? 'resources.limits.memory' : 'resources'),
    evidence: t.message || t.reason || '',
  };
}

/** One exit of a container that ran: not restarted (restartPolicy Never, a Job's pod), or the first restart. */
function exitedOnce(r: Reading, t: Terminated): Diagnosis {
  const { pod, init } = r.ctx;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const sidecar = init && r.anyExit;
  const restarted = sidecar || policy === 'Always' || policy === 'OnFailure';
  const job = (pod.metadata?.ownerReferences ?? []).some((o) => o?.kind === 'Job');
  const what = init && !sidecar ? 'Init container' : sidecar ? 'Sidecar container' : 'Container';
  const after = restarted
    ? 'the kubelet restarted it'
    : init && !sidecar
      ? 'with restartPolicy Never the pod failed and its app containers never started'
      : `with restartPolicy Never it is not restarted${job ? '; the Job makes a new pod until its backoffLimit is reached' : ''}`;
  return {
    container: r.name,
    nodes: null,
    cause: 'container-exited',
    message: `${what} ${r.name ?? '?'} ran and exited with ${exitText(t)}; ${after}.`,
    suggestion: `Read its output with \`kubectl logs ${pod.metadata?.name ?? 'POD'} -c ${r.name ?? 'CONTAINER'}${restarted ? ' --previous' : ''}\`; the program failed: check command, args and the config it needs.`,
    yamlPath: r.at(null),
    evidence: t.message || t.reason || '',
  };
}
