// Pod objects from a trace file or `explain --pod` are untrusted JSON: the engine reads them as the
// Pod type, so a wrongly typed field (`spec.containers: 5`, `status.conditions: {}`) would throw deep
// inside the builder. This drops every field the engine reads whose type is wrong, keeping the rest,
// before a pod enters the fold. Pods from the apiserver pass through unchanged.

import { isRecord } from '../guards.js';
import type { Pod } from '../k8s-types.js';

type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'object'
  | { readonly fields: Readonly<Record<string, Shape>> }
  | { readonly items: Shape };

const STR = 'string';
const obj = (fields: Record<string, Shape>): Shape => ({ fields });
const list = (items: Shape): Shape => ({ items });

const STATE = obj({
  waiting: obj({ reason: STR, message: STR }),
  running: obj({ startedAt: STR }),
  terminated: obj({
    exitCode: 'number',
    reason: STR,
    message: STR,
    startedAt: STR,
    finishedAt: STR,
    containerID: STR,
  }),
});
const CONTAINER = obj({
  name: STR,
  image: STR,
  imagePullPolicy: STR,
  command: list(STR),
  args: list(STR),
  workingDir: STR,
  restartPolicy: STR,
  resources: obj({ requests: 'object', limits: 'object' }),
  env: list('object'),
  envFrom: list('object'),
  volumeMounts: list('object'),
});
const CONTAINER_STATUS = obj({
  name: STR,
  image: STR,
  imageID: STR,
  containerID: STR,
  ready: 'boolean',
  started: 'boolean',
  restartCount: 'number',
  state: STATE,
  lastState: STATE,
});

const POD: Shape = obj({
  metadata: obj({
    name: STR,
    generateName: STR,
    namespace: STR,
    uid: STR,
    resourceVersion: STR,
    creationTimestamp: STR,
    deletionTimestamp: STR,
    labels: 'object',
    ownerReferences: list(obj({ kind: STR, name: STR, uid: STR })),
  }),
  spec: obj({
    nodeName: STR,
    nodeSelector: 'object',
    affinity: 'object',
    tolerations: list('object'),
    topologySpreadConstraints: list('object'),
    volumes: list('object'),
    containers: list(CONTAINER),
    initContainers: list(CONTAINER),
    ephemeralContainers: list(CONTAINER),
    overhead: 'object',
    priority: 'number',
    priorityClassName: STR,
    restartPolicy: STR,
    activeDeadlineSeconds: 'number',
    schedulingGates: list(obj({ name: STR })),
    readinessGates: list(obj({ conditionType: STR })),
  }),
  status: obj({
    phase: STR,
    reason: STR,
    message: STR,
    startTime: STR,
    nominatedNodeName: STR,
    conditions: list(
      obj({ type: STR, status: STR, reason: STR, message: STR, lastTransitionTime: STR, lastProbeTime: STR }),
    ),
    containerStatuses: list(CONTAINER_STATUS),
    initContainerStatuses: list(CONTAINER_STATUS),
    ephemeralContainerStatuses: list(CONTAINER_STATUS),
  }),
});

/** `x` reduced to what `shape` allows (undefined when it does not fit at all). */
function fit(x: unknown, shape: Shape): unknown {
  if (shape === 'string' || shape === 'number' || shape === 'boolean')
    return typeof x === shape && (shape !== 'number' || Number.isFinite(x)) ? x : undefined;
  if (shape === 'object') return isRecord(x) ? x : undefined;
  if ('items' in shape)
    return Array.isArray(x) ? x.map((i) => fit(i, shape.items)).filter((i) => i !== undefined) : undefined;
  if (!isRecord(x)) return undefined;
  const out: Record<string, unknown> = { ...x };
  for (const [k, s] of Object.entries(shape.fields)) {
    if (!(k in x) || x[k] === null) continue;
    const v = fit(x[k], s);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** A copy of the pod without the wrongly typed fields the engine reads; null when it is not an object. */
export function sanitizePod(pod: unknown): Pod | null {
  const p = fit(pod, POD);
  return isRecord(p) ? (p as Pod) : null;
}
