// Causes found in container states and kubelet events: images (images.ts), missing config, exits
// and start failures (exits.ts), probes, sandboxes and volumes.

import type { ContainerStatus, Pod } from '../k8s-types.js';
import { containerFromFieldPath } from '../event-field-path.js';
import type { Diagnosis, NormalizedEvent } from '../model.js';
import { containerStatuses } from '../pod-status.js';
import { mountsDone, transientMountFailure } from '../volume-mounts.js';
import { exitCause, isStartWaiting } from './exits.js';
import { IMAGE_CAUSES, imageCause } from './images.js';
import { containerSpec, podContainerPath, probeField, volumeIndex } from './paths.js';

/** `configmap "x" not found`, `secret "x" not found`, `couldn't find key k in ConfigMap ns/x`. */
function missingConfig(text: string): { kind: 'ConfigMap' | 'Secret'; name: string; key: string | null } | null {
  let m = /(configmap|secret)s? "([^"]+)" not found/i.exec(text);
  if (m && m[1] && m[2])
    return { kind: m[1].toLowerCase().startsWith('c') ? 'ConfigMap' : 'Secret', name: m[2], key: null };
  m = /couldn't find key (\S+) in (ConfigMap|Secret) (?:[^/\s]+\/)?(\S+)/i.exec(text);
  if (m && m[1] && m[2] && m[3])
    return { kind: m[2].toLowerCase().startsWith('c') ? 'ConfigMap' : 'Secret', name: m[3], key: m[1] };
  return null;
}

/** The env/envFrom entry (or volume) that references a ConfigMap/Secret, as a pod-relative path. */
function configPath(
  pod: Pod,
  container: string | null,
  ref: { kind: 'ConfigMap' | 'Secret'; name: string; key: string | null },
): string | null {
  const base = podContainerPath(pod, container);
  const spec = containerSpec(pod, container);
  if (base && spec) {
    const env = spec.env ?? [];
    for (let i = 0; i < env.length; i++) {
      const vf = env[i]?.valueFrom;
      const r = ref.kind === 'ConfigMap' ? vf?.configMapKeyRef : vf?.secretKeyRef;
      if (r && r.name === ref.name && (ref.key === null || r.key === ref.key))
        return `${base}.env[${i}].valueFrom.${ref.kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef'}`;
    }
    const envFrom = spec.envFrom ?? [];
    for (let i = 0; i < envFrom.length; i++) {
      const e = envFrom[i];
      const r = ref.kind === 'ConfigMap' ? e?.configMapRef : e?.secretRef;
      if (r && r.name === ref.name) return `${base}.envFrom[${i}]`;
    }
  }
  const v = volumeIndex(pod, (vol) =>
    ref.kind === 'ConfigMap' ? vol.configMap?.name === ref.name : vol.secret?.secretName === ref.name,
  );
  if (v !== null) return `spec.volumes[${v}]`;
  return base ? `${base}.env` : null;
}

/** This container's events (by the name in their fieldPath). */
function eventsOf(events: readonly NormalizedEvent[], name: string | null): NormalizedEvent[] {
  return events.filter((e) => name !== null && containerFromFieldPath(e.regarding.fieldPath)?.name === name);
}

/** The cause a container's status shows (image, config, start failure, exits), or null. */
function statusCause(
  pod: Pod,
  s: ContainerStatus,
  init: boolean,
  events: readonly NormalizedEvent[],
): Diagnosis | null {
  const name = s.name ?? null;
  const own = eventsOf(events, name);
  const image = imageCause({ pod, status: s, init, failures: own.filter((e) => e.reason === 'Failed') });
  if (image) return image;
  const w = s.state?.waiting;
  const reason = w?.reason ?? '';
  const msg = w?.message ?? '';
  if (reason === 'CreateContainerConfigError' || (reason === 'CreateContainerError' && !isStartWaiting(w))) {
    const base = podContainerPath(pod, name, init);
    const ref = missingConfig(msg);
    return {
      cause: 'missing-config',
      message: ref
        ? `Container ${name ?? '?'} references ${ref.kind} "${ref.name}"${ref.key ? ` key "${ref.key}"` : ''}, which does not exist.`
        : `Container ${name ?? '?'} could not be created from its configuration (${reason}).`,
      suggestion: ref
        ? `Create the ${ref.kind} (\`kubectl create ${ref.kind.toLowerCase()} ${ref.kind === 'Secret' ? 'generic ' : ''}${ref.name} ...\`) in the pod's namespace, or mark the reference optional: true.`
        : 'Check env, envFrom, volumeMounts and securityContext (e.g. runAsNonRoot with a root image).',
      yamlPath: ref ? configPath(pod, name, ref) : base,
      container: name,
      nodes: null,
      evidence: msg || reason,
    };
  }
  return exitCause({ pod, status: s, init, events: own });
}

/**
 * The cause an event shows (failing probe, sandbox, volume, missing config), or null. `found` holds
 * the causes found so far: a Failed event about a container whose image is the problem adds nothing.
 */
function eventCause(pod: Pod, e: NormalizedEvent, found: readonly Diagnosis[]): Diagnosis | null {
  const c = containerFromFieldPath(e.regarding.fieldPath);
  const cname = c?.name ?? null;
  const base = podContainerPath(pod, cname, c?.init);
  if (e.reason === 'Unhealthy') {
    const kind = probeField(e.message);
    const status = containerStatuses(pod).find((x) => x.status.name === cname)?.status;
    // A probe that failed and then passed (the container is Ready, or still runs after its probe
    // recovered) is part of a slow start, not a failure: the trace notes it instead. A liveness
    // failure that got the container killed is that cause's evidence.
    if (status?.ready || status?.state?.terminated) return null;
    if (kind === 'livenessProbe' && found.some((d) => d.container === cname && d.cause === 'liveness-killed'))
      return null;
    return {
      cause: 'probe-failing',
      message: `The ${kind.replace('Probe', '')} probe of container ${cname ?? '?'} is failing (${e.count}×).`,
      suggestion:
        'Check the probe path/port/command against what the app serves, and give slow starters a startupProbe or a larger initialDelaySeconds / failureThreshold.',
      yamlPath: base ? `${base}.${kind}` : null,
      container: cname,
      nodes: null,
      evidence: e.message,
    };
  }
  if (e.reason === 'FailedCreatePodSandBox') {
    return {
      cause: 'sandbox-failed',
      message: `The runtime could not create the pod sandbox (network namespace, pause container, CNI) ${e.count}×.`,
      suggestion:
        'This is a node problem, not a manifest one: check the CNI plugin and the runtime log on the node (Pod Birth shows the runtime lines when node logs are readable).',
      yamlPath: null,
      container: null,
      nodes: null,
      evidence: e.message,
    };
  }
  if (e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume') {
    // A mount that failed and then succeeded (the kubelet got past the mounts) is history, not a cause.
    if (mountsDone(pod)) return null;
    const ref = missingConfig(e.message);
    const vol = /volume "([^"]+)"/.exec(e.message)?.[1] ?? null;
    const vi = vol !== null ? volumeIndex(pod, (v) => v.name === vol) : null;
    const transient = ref ? null : transientMountFailure(e.message);
    return {
      cause: ref ? 'missing-config' : 'volume-mount-failed',
      message: ref
        ? `Volume${vol ? ` "${vol}"` : ''} needs ${ref.kind} "${ref.name}", which does not exist.`
        : transient
          ? `Volume${vol ? ` "${vol}"` : ''} is not mounted yet (${e.count}×): ${transient}. The kubelet retries on its own.`
          : `Volume${vol ? ` "${vol}"` : ''} cannot be mounted (${e.count}×).`,
      suggestion: ref
        ? `Create the ${ref.kind} "${ref.name}" in the pod's namespace, or mark the volume source optional: true.`
        : transient
          ? 'Nothing to change in the manifest: the apiserver or the node is slow to answer the kubelet. If it lasts, check the kubelet log and the apiserver load.'
          : 'Check that the volume source exists and is reachable from the node (PVC bound, attach succeeded, NFS/CSI driver healthy).',
      yamlPath: vi !== null ? `spec.volumes[${vi}]` : 'spec.volumes',
      container: null,
      nodes: null,
      evidence: e.message,
    };
  }
  if (e.reason === 'Failed' && base && !found.some((d) => d.container === cname && IMAGE_CAUSES.has(d.cause))) {
    const ref = missingConfig(e.message);
    if (ref) {
      return {
        cause: 'missing-config',
        message: `Container ${cname ?? '?'} references ${ref.kind} "${ref.name}"${ref.key ? ` key "${ref.key}"` : ''}, which does not exist.`,
        suggestion: `Create the ${ref.kind} in the pod's namespace, or mark the reference optional: true.`,
        yamlPath: configPath(pod, cname, ref),
        container: cname,
        nodes: null,
        evidence: e.message,
      };
    }
  }
  return null;
}

export function diagnoseContainers(pod: Pod, events: readonly NormalizedEvent[]): Diagnosis[] {
  const out: Diagnosis[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnosis | null): void => {
    if (!d) return;
    const k = `${d.cause}|${d.container ?? ''}|${d.yamlPath ?? ''}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  };
  for (const { status, init } of containerStatuses(pod)) push(statusCause(pod, status, init, events));
  for (const e of events) push(eventCause(pod, e, out));
  return out;
}
