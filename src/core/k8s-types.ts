// The parts of Kubernetes objects that the trace engine reads. Every field is optional because input
// comes from files, watches and older clusters; the reducers check what they use.
// Times are strings as they arrive on the wire (watch JSON / kubectl -o json).

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[];
  labels?: Record<string, string>;
}

export interface ContainerSpec {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** On an init container, `Always` makes it a native sidecar (1.28 alpha, 1.29 beta, GA in 1.33). */
  restartPolicy?: string;
  env?: {
    name?: string;
    valueFrom?: { configMapKeyRef?: { name?: string; key?: string }; secretKeyRef?: { name?: string; key?: string } };
  }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
  volumeMounts?: { name?: string; mountPath?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  startupProbe?: unknown;
}

export interface PodSpec {
  nodeName?: string;
  schedulerName?: string;
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  tolerations?: unknown[];
  topologySpreadConstraints?: unknown[];
  volumes?: {
    name?: string;
    persistentVolumeClaim?: { claimName?: string };
    configMap?: { name?: string };
    secret?: { secretName?: string };
  }[];
  priorityClassName?: string;
  priority?: number;
  restartPolicy?: string;
  activeDeadlineSeconds?: number;
  schedulingGates?: { name?: string }[];
  readinessGates?: { conditionType?: string }[];
  /** Added by `kubectl debug` through the ephemeralcontainers subresource; never in a manifest. */
  ephemeralContainers?: ContainerSpec[];
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
  };
}

export interface ContainerStatus {
  name?: string;
  image?: string;
  imageID?: string;
  containerID?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  startTime?: string;
  hostIP?: string;
  podIP?: string;
  nominatedNodeName?: string;
  reason?: string;
  message?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: PodStatus;
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  fieldPath?: string;
}

/** core/v1 Event (what `kubectl get events -o json` prints). */
export interface CoreEvent {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  type?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
}

/** events.k8s.io/v1 Event. */
export interface EventsV1Event {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}
