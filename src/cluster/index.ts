// The cluster layer's public API (bundled as dist/cluster.js, loaded on the first trace).
export { loadConnection, listContexts, type Connection, type ConnectOptions } from './kubeconfig.js';
export { ClusterError, type ClusterErrorKind, type FieldCause } from './errors.js';
export { setRequestLogger } from './http.js';
export { TraceSession, type SessionEvent, type SessionOptions, type Outcome } from './session.js';
export { WorkloadTracer, type WorkloadEvent, type WorkloadOptions } from './workload.js';
export {
  dryRun,
  applyConfirmed,
  confirmationText,
  causesToPaths,
  podRelativeCauses,
  targetNamespace,
  deletePod,
  type ApplyPlan,
  type KubeObject,
} from './apply.js';
export { ResumableWatch, type WatchStats } from './watch.js';
export { NodeLogReader, canGetNodeProxy, readNode, classifyLogQueryBody } from './node-proxy.js';
export { makeTraceFile, TRACE_FILE_FORMAT, TRACE_FILE_VERSION, type TraceFile } from '../core/trace/trace-file.js';
export { startRun, RunError, type RunRequest, type RunResult, type TraceRun, type TraceMode } from './runner.js';
export { readCapacity } from './capacity.js';
export { listNamespaces, listPods, type PodSummary } from './browse.js';
