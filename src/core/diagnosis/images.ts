// Why a container cannot get its image. The kubelet's waiting reason decides where it can
// (ErrImageNeverPull, InvalidImageName); for a pull that failed (ErrImagePull, ImagePullBackOff,
// RegistryUnavailable) the registry's or the network's own words decide: a registry that does not
// answer, an image that does not exist, or a registry that refuses the credentials.

import type { ContainerStatus, Pod } from '../k8s-types.js';
import type { Diagnosis, NormalizedEvent } from '../model.js';
import type { Cause } from '../vocabulary.js';
import { containerSpec, podContainerPath } from './paths.js';

/** Waiting reasons that mean the image could not be had. */
export const IMAGE_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'SignatureValidationFailed',
  'ImageInspectError',
]);

/** The causes this module gives: a container has at most one of them. */
export const IMAGE_CAUSES: ReadonlySet<Cause> = new Set<Cause>([
  'image-pull-failed',
  'image-never-pull',
  'invalid-image-name',
  'registry-unreachable',
]);

/** The node could not reach the registry at all (DNS, TCP, TLS, timeouts); the most telling words first. */
const UNREACHABLE_WORDS = [
  'no such host',
  'server misbehaving',
  'connection refused',
  'no route to host',
  'network is unreachable',
  'connection reset',
  'i/o timeout',
  'TLS handshake timeout',
  'Client.Timeout',
  'context deadline exceeded',
  'dial tcp',
];

/** The words that say the registry did not answer, or null. */
function unreachable(text: string): string | null {
  const lower = text.toLowerCase();
  return UNREACHABLE_WORDS.find((w) => lower.includes(w.toLowerCase())) ?? null;
}
const NOT_FOUND = /not found|manifest unknown|no such image|does not exist|name unknown/i;
/**
 * The registry refused the credentials. A bare 401/403 is not enough: digests and sizes contain
 * those digits (`sha256:…403…`), so the code must read as an HTTP status.
 */
const REFUSED =
  /unauthorized|authentication required|access denied|denied:|forbidden|(?:status(?: code)?:?|HTTP|code =)\s*40[13]\b|\b40[13] (?:Unauthorized|Forbidden)\b/i;

/** The registry host an image reference names (`docker.io` when it names none). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** The host the network error names (`lookup registry.example on …`, `dial tcp 10.0.0.5:5000: …`, `Get "https://host/v2/"`). */
function hostInError(text: string): string | null {
  const m =
    /lookup ([^\s:]+)/i.exec(text) ??
    /dial tcp ((?:\[[^\]]+\]|[^\s:]+):\d+)/i.exec(text) ??
    /Get "https?:\/\/([^/":]+)/i.exec(text);
  return m?.[1] ?? null;
}

interface ImageContext {
  readonly pod: Pod;
  readonly status: ContainerStatus;
  readonly init: boolean;
  /** The container's pull failures (`Failed to pull image "…": …`), newest last. */
  readonly failures: readonly NormalizedEvent[];
}

/** The image cause of a container waiting with an image reason, or null. */
export function imageCause(ctx: ImageContext): Diagnosis | null {
  const { pod, status: s, init } = ctx;
  const w = s.state?.waiting;
  const reason = w?.reason ?? '';
  if (!IMAGE_REASONS.has(reason)) return null;
  const name = s.name ?? null;
  const base = podContainerPath(pod, name, init);
  const spec = containerSpec(pod, name);
  const image = spec?.image ?? s.image ?? null;
  const quoted = image ? ` "${image}"` : '';
  const pullError = ctx.failures.map((e) => e.message).filter((m) => /Failed to pull image/i.test(m));
  // The waiting message of ImagePullBackOff is only "Back-off pulling image" on older kubelets;
  // the last Failed event keeps the registry's words.
  const text = [w?.message ?? '', pullError[pullError.length - 1] ?? ''].join(' ').trim();
  const common = { container: name, nodes: null, evidence: w?.message || text || reason };
  const imagePath = base ? `${base}.image` : null;
  if (reason === 'ErrImageNeverPull') {
    return {
      ...common,
      cause: 'image-never-pull',
      message: `Container ${name ?? '?'} has imagePullPolicy: Never and its image${quoted} is not on node ${pod.spec?.nodeName ?? '?'}, so the kubelet may not pull it (ErrImageNeverPull).`,
      suggestion: `Load the image onto the node first (\`kind load docker-image ${image ?? 'IMAGE'}\`, \`ctr -n k8s.io images import\`), or set imagePullPolicy: IfNotPresent so the kubelet may pull it.`,
      yamlPath: base ? (spec?.imagePullPolicy ? `${base}.imagePullPolicy` : `${base}.image`) : null,
    };
  }
  if (reason === 'InvalidImageName') {
    return {
      ...common,
      cause: 'invalid-image-name',
      message: `The image reference${quoted} of container ${name ?? '?'} is not valid, so no pull was tried (InvalidImageName).`,
      suggestion:
        'Write it as [registry[:port]/]repository[:tag][@sha256:digest]: lowercase repository, no scheme (https://), no spaces, at most one tag.',
      yamlPath: imagePath,
    };
  }
  const why = unreachable(text);
  if (why !== null) {
    const host = hostInError(text) ?? (image ? registryOf(image) : 'the registry');
    return {
      ...common,
      cause: 'registry-unreachable',
      message: `The node cannot reach registry ${host} to pull${quoted} (${why}); the registry never answered (${reason}).`,
      suggestion: `Check the registry host in the image reference, that the node resolves and reaches ${host} (DNS, firewall, proxy settings of the container runtime), or use a registry mirror the node can reach.`,
      yamlPath: imagePath,
    };
  }
  return {
    ...common,
    cause: 'image-pull-failed',
    message: `Container ${name ?? '?'} cannot get its image${quoted} (${reason}).`,
    suggestion: pullSuggestion(text, quoted),
    yamlPath: imagePath,
  };
}

function pullSuggestion(text: string, quoted: string): string {
  if (NOT_FOUND.test(text))
    return `The image${quoted} or its tag does not exist in the registry: check the name and tag (kubectl-style short names mean docker.io/library/...).`;
  if (REFUSED.test(text))
    return `The registry refused the pull${quoted}: add an imagePullSecrets entry with credentials for it (spec.imagePullSecrets), or make the image public.`;
  return `Check the image name${quoted}, its tag and whether the node can pull from that registry.`;
}
