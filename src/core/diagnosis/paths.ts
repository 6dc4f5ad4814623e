// Finding the manifest field a cause is about, in the pod spec the trace knows.

import { isRecord } from '../guards.js';
import type { ContainerSpec, Pod, PodSpec } from '../k8s-types.js';

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** A Kubernetes resource.Quantity ("100m", "64Mi", "1.5Gi", "2e3") as a number, or null. */
export function parseQuantity(q: unknown): number | null {
  if (typeof q === 'number') return Number.isFinite(q) ? q : null;
  if (typeof q !== 'string') return null;
  const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E))?$/.exec(
    q.trim(),
  );
  if (!m || m[1] === undefined) return null;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const mult = SUFFIX[m[3] ?? ''];
  return mult === undefined ? null : base * mult;
}

function listOf(spec: PodSpec | undefined, init: boolean): ContainerSpec[] {
  const l = init ? spec?.initContainers : spec?.containers;
  return Array.isArray(l) ? l : [];
}

/** The container asking for the most of a resource (requests, else limits, which default requests). */
export function containerIndexWithLargest(
  pod: Pod,
  resource: string,
): { index: number | null; name: string | null; value: string | null; init: boolean } {
  let best: { index: number; name: string | null; value: string; n: number; init: boolean } | null = null;
  for (const init of [false, true]) {
    listOf(pod.spec, init).forEach((c, index) => {
      const raw = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
      const n = parseQuantity(raw);
      if (n !== null && typeof raw === 'string' && (!best || n > best.n))
        best = { index, name: c.name ?? null, value: raw, n, init };
    });
  }
  const b = best as { index: number; name: string | null; value: string; init: boolean } | null;
  return b
    ? { index: b.index, name: b.name, value: b.value, init: b.init }
    : { index: null, name: pod.spec?.containers?.[0]?.name ?? null, value: null, init: false };
}

export function volumeIndex(pod: Pod, pred: (v: NonNullable<PodSpec['volumes']>[number]) => boolean): number | null {
  const vols = pod.spec?.volumes;
  if (!Array.isArray(vols)) return null;
  const i = vols.findIndex((v) => isRecord(v) && pred(v));
  return i < 0 ? null : i;
}

/** `spec.containers[i]` / `spec.initContainers[i]` for a container name, or null. */
export function podContainerPath(pod: Pod, name: string | null, init?: boolean): string | null {
  if (name === null) return null;
  for (const isInit of init === undefined ? [false, true] : [init]) {
    const i = listOf(pod.spec, isInit).findIndex((c) => c.name === name);
    if (i >= 0) return `spec.${isInit ? 'initContainers' : 'containers'}[${i}]`;
  }
  return null;
}

/** The probe an Unhealthy event's message is about: `Startup probe failed…`, `Liveness probe…`, else readiness. */
export function probeField(message: string): 'startupProbe' | 'livenessProbe' | 'readinessProbe' {
  if (/^Startup/i.test(message)) return 'startupProbe';
  return /^Liveness/i.test(message) ? 'livenessProbe' : 'readinessProbe';
}

export function containerSpec(pod: Pod, name: string | null): ContainerSpec | null {
  if (name === null) return null;
  for (const isInit of [false, true]) {
    const c = listOf(pod.spec, isInit).find((x) => x.name === name);
    if (c) return c;
  }
  return null;
}
