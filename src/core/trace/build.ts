// The trace as a pure function of the folded evidence, as a pipeline:
//
//   1. readPodView   what there is to read: the latest pod, its snapshots, events, log records, containers
//   2. the folds     one small rule per step family (folds/*.ts), each adding time candidates and
//                    facts to the step drafts; the container folds run per container, in birth order
//   3. finalize      each draft's most precise candidate sets its time; the others corroborate it
//   4. orderSteps    (second, logical rank, full time): a total order, so input order never matters
//   5. phase, diagnosis and notes, read off the pod and the steps
//
// A new kind of evidence is one more fold in FOLDS (or CONTAINER_FOLDS); a rule about when a step
// happens belongs in its fold, and the ordering rule only in order.ts.

import { diagnose } from '../diagnosis/index.js';
import { nodeFit, withFit } from '../diagnosis/fit.js';
import type { Diagnosis, NodeCapacity, Trace } from '../model.js';
import { StepDrafts } from './drafts.js';
import type { TraceState } from './evidence.js';
import { finalize } from './finalize.js';
import type { ContainerFold, PodFold } from './fold.js';
import { foldBackOff } from './folds/back-off.js';
import { foldConditions } from './folds/conditions.js';
import { foldContainerRuns } from './folds/container-runs.js';
import { foldCreated } from './folds/created.js';
import { foldExits } from './folds/exits.js';
import { foldImage } from './folds/image.js';
import { foldKilled } from './folds/killed.js';
import { foldKubeletAccepted } from './folds/kubelet-accepted.js';
import { foldNominated, foldPodEnd, foldSchedulingGates } from './folds/pod-fate.js';
import { foldProbes } from './folds/probes.js';
import { foldSandbox } from './folds/sandbox.js';
import { foldScheduled } from './folds/scheduled.js';
import { foldSchedulingFailed } from './folds/scheduling-failed.js';
import { foldVolumes } from './folds/volumes.js';
import { foldWaitingErrors } from './folds/waiting-errors.js';
import { traceNotes } from './notes.js';
import { orderSteps } from './order.js';
import { phaseOf } from './phase.js';
import { containerView, readPodView, type PodView } from './pod-view.js';

export interface BuildOptions {
  /** Records whose pod could not be decided are dropped; pass false to keep every given record. */
  readonly attributeLogs?: boolean;
}

/** Per container, in this order: a later fold may start from an earlier one's step (create from the image). */
const CONTAINER_FOLDS: readonly ContainerFold[] = [
  foldImage,
  foldContainerRuns,
  foldExits,
  foldWaitingErrors,
  foldBackOff,
  foldProbes,
  foldKilled,
];

const foldContainers: PodFold = (view, drafts) => {
  for (const c of view.containers) {
    const cv = containerView(view, c);
    for (const fold of CONTAINER_FOLDS) fold(view, cv, drafts);
  }
};

/** In birth order: a fold may start its step at the end of an earlier fold's (scheduled from created). */
const FOLDS: readonly PodFold[] = [
  foldCreated,
  foldSchedulingGates,
  foldSchedulingFailed,
  foldNominated,
  foldScheduled,
  foldKubeletAccepted,
  foldVolumes,
  foldSandbox,
  foldContainers,
  foldConditions,
  foldPodEnd,
];

export function buildTrace(state: TraceState, opts: BuildOptions = {}): Trace {
  const view = readPodView(state, opts.attributeLogs !== false);
  const drafts = new StepDrafts();
  for (const fold of FOLDS) fold(view, drafts);
  const unordered = drafts.all().flatMap((d) => finalize(d) ?? []);
  const steps = orderSteps(unordered, view.containers);
  const created = drafts.bestEnd((d) => d.kind === 'created')?.time ?? null;
  return {
    pod: { namespace: view.ref.namespace, name: view.ref.name, uid: view.ref.uid, node: view.node },
    runtime: view.runtime,
    runtimeVersion: view.runtimeVersion,
    phase: phaseOf(view.pod, steps),
    steps,
    diagnosis: diagnosisOf(view, [...state.capacity.values()]),
    notes: traceNotes(state, steps, !!view.pod?.spec?.nodeName, view.events.all, created),
    containers: view.containers,
  };
}

/** The causes, each with the node fit when node capacity was read. */
function diagnosisOf(view: PodView, capacity: readonly NodeCapacity[]): Diagnosis[] {
  const pod = view.pod;
  if (!pod) return [];
  return diagnose(pod, view.events.all, view.ownerEvents).map((d) =>
    withFit(d, capacity.length > 0 ? nodeFit(d, pod, capacity) : null),
  );
}
