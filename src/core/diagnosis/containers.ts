// Causes found in container states and kubelet events: image pulls, missing config, crash loops,
// probes, sandboxes and volumes.

import type { ContainerStatus, Pod } from '../k8s-types.js';
import { containerFromFieldPath } from '../event-field-path.js';
import type { Diagnosis, NormalizedEvent } from '../model.js';
import { containerStatuses } from '../pod-status.js';
import { containerSpec, podContainerPath, probeField, volumeIndex } from './paths.js';

const IMAGE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'SignatureValidationFailed',
  'ImageInspectError',
]);

function imageSuggestion(text: string, image: string | null): string {
  const img = image ? ` "${image}"` : '';
  if (/not found|manifest unknown|no such image|does not exist/i.test(text))
    return `The image${img} or its tag does not exist in the registry: check the name and tag (kubectl-style short names mean docker.io/library/...).`;
  if (/unauthorized|authentication required|denied|forbidden|401|403/i.test(text))
    return `The registry refused the pull${img}: add an imagePullSecrets entry with credentials for it (spec.imagePullSecrets), or make the image public.`;
  if (/no such host|dial tcp|timeout|i\/o timeout|connection refused|network/i.test(text))
    return `The node cannot reach the registry for${img}: check the registry host name, DNS and the node's network or proxy.`;
  if (/never pull|pull policy of Never/i.test(text))
    return `imagePullPolicy is Never and the image${img} is not on the node: pre-load it or change the policy.`;
  if (/invalid|InvalidImageName/i.test(text))
    return `The image reference${img} is not valid: fix its syntax (registry/repository:tag or @sha256 digest).`;
  return `Check the image name${img}, its tag and whether the node can pull from that registry.`;
}

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

/** The cause a container's status shows (waiting reason, failed exits), or null. */
function statusCause(pod: Pod, s: ContainerStatus, init: boolean): Diagnosis | null {
  const name = s.name ?? null;
  const base = podContainerPath(pod, name, init);
  const w = s.state?.waiting;
  const reason = w?.reason ?? '';
  const msg = w?.message ?? '';
  if (IMAGE_REASONS.has(reason)) {
    const image = containerSpec(pod, name)?.image ?? s.image ?? null;
    return {
      cause: 'image-pull-failed',
      message: `Container ${name ?? '?'} cannot get its image${image ? ` "${image}"` : ''} (${reason}).`,
      suggestion: imageSuggestion(`${reason} ${msg}`, image),
      yamlPath: base ? `${base}.image` : null,
      container: name,
      nodes: null,
      evidence: msg || reason,
    };
  }
  if (reason === 'CreateContainerConfigError' || reason === 'CreateContainerError') {
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
  if (
    reason === 'CrashLoopBackOff' ||
    (s.state?.terminated?.exitCode ?? 0) !== 0 ||
    (!s.ready && !s.state?.waiting && (s.restartCount ?? 0) > 0 && (s.lastState?.terminated?.exitCode ?? 0) !== 0)
  ) {
    // Current exit first (between restarts), else the previous run's.
    const t = (s.state?.terminated?.exitCode ?? 0) !== 0 ? s.state?.terminated : s.lastState?.terminated;
    const code =
      typeof t?.exitCode === 'number' ? ` with exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` : '';
    return {
      cause: 'crash-loop',
      message: `Container ${name ?? '?'} keeps exiting${code}; restarted ${s.restartCount ?? 0} time(s), the kubelet is backing off.`,
      suggestion:
        t?.reason === 'OOMKilled'
          ? 'It was killed for using more memory than its limit: raise resources.limits.memory or reduce usage.'
          : `Read its last output with \`kubectl logs ${pod.metadata?.name ?? 'POD'} -c ${name ?? 'CONTAINER'} --previous\`; check command, args and required config.`,
      yamlPath: base ? (t?.reason === 'OOMKilled' ? `${base}.resources.limits.memory` : base) : null,
      container: name,
      nodes: null,
      evidence: msg || t?.message || reason,
    };
  }
  if (reason === 'RunContainerError' || reason === 'PostStartHookError' || reason === 'PreStartHookError') {
    return {
      cause: 'crash-loop',
      message: `Container ${name ?? '?'} failed to start (${reason}).`,
      suggestion:
        'The runtime could not start the process: check command/args exist in the image, and lifecycle hooks.',
      yamlPath: base,
      container: name,
      nodes: null,
      evidence: msg || reason,
    };
  }
  return null;
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
    const ref = missingConfig(e.message);
    const vol = /volume "([^"]+)"/.exec(e.message)?.[1] ?? null;
    const vi = vol !== null ? volumeIndex(pod, (v) => v.name === vol) : null;
    return {
      cause: ref ? 'missing-config' : 'volume-mount-failed',
      message: ref
        ? `Volume${vol ? ` "${vol}"` : ''} needs ${ref.kind} "${ref.name}", which does not exist.`
        : `Volume${vol ? ` "${vol}"` : ''} cannot be mounted (${e.count}×).`,
      suggestion: ref
        ? `Create the ${ref.kind} "${ref.name}" in the pod's namespace, or mark the volume source optional: true.`
        : 'Check that the volume source exists and is reachable from the node (PVC bound, attach succeeded, NFS/CSI driver healthy).',
      yamlPath: vi !== null ? `spec.volumes[${vi}]` : 'spec.volumes',
      container: null,
      nodes: null,
      evidence: e.message,
    };
  }
  if (e.reason === 'Failed' && base && !found.some((d) => d.container === cname && d.cause === 'image-pull-failed')) {
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
  for (const { status, init } of containerStatuses(pod)) push(statusCause(pod, status, init));
  for (const e of events) push(eventCause(pod, e, out));
  return out;
}
