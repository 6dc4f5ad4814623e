// The cluster layer's public API (bundled as dist/cluster.js, loaded on the first trace).
// A trace starts from a TraceTarget: resolveTarget (target.ts) → startRun (runner.ts) → TraceSession
// per pod (session.ts), whose events the CLI and the editor present.
export { loadConnection, listContexts, type Connection, type ConnectOptions } from './kubeconfig.js';
export { ClusterError, RunError, type ClusterErrorKind, type FieldCause } from './errors.js';
export { setRequestLogger } from './http.js';
export {
  resolveTarget,
  resolveTargetOn,
  type TraceMode,
  type TraceTarget,
  type ManifestTarget,
  type ObjectTarget,
  type PodTarget,
  type ResolveOptions,
  type ResolvedTarget,
  type ManifestCause,
} from './target.js';
export { startRun, type RunRequest, type RunResult, type TraceRun } from './runner.js';
export { TraceSession, type SessionEvent, type SessionOptions, type Outcome } from './session.js';
export { WorkloadTracer, type WorkloadEvent, type WorkloadOptions } from './workload.js';
export { RolloutTracer, expectedPods, ROLLOUT_MAX_PODS, type RolloutOptions } from './rollout.js';
export {
  startRollout,
  newestRevisionSelector,
  ROLLOUT_KINDS,
  type RolloutRequest,
  type RolloutRunResult,
  type RolloutSubject,
} from './rollout-run.js';
export {
  runRolloutJob,
  type RolloutJob,
  type RolloutJobSubject,
  type RolloutJobCallbacks,
  type RolloutJobStart,
  type RolloutJobRunner,
  type RolloutControl,
  type RolloutEnd,
  type RolloutWhere,
  type PodTraceEvent,
} from './rollout-job.js';
export { rolloutWorkerMain, type HostToWorker, type WorkerToHost, type WorkerStart } from './rollout-worker.js';
export { dryRun, applyConfirmed, confirmationText, type ApplyPlan, type KubeObject } from './apply.js';
export { ResumableWatch, type WatchStats } from './watch.js';
export { makeTraceFile, TRACE_FILE_FORMAT, TRACE_FILE_VERSION, type TraceFile } from '../core/trace/trace-file.js';
export { listNamespaces, listPods, type PodSummary } from './browse.js';
export {
  nodeDebugPlanText,
  nodeDebugWatchdogMain,
  runNodeDebugWatchdog,
  type NodeDebugOptions,
  type NodeDebugPlan,
  type WatchdogJob,
} from './node-debug.js';
