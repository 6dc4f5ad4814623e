// What the engine must say about each failure case recorded on the real cluster ("failure
// truth"): the steps, the phase, the cause, the manifest field and its line. Read by recorded.test.ts
// next to its own expectations; kept apart because there are many of them.

import type { Trace } from '../../src/core/model.js';
import type { Cause, StepKind } from '../../src/core/vocabulary.js';

export interface Expectation {
  readonly phase: Trace['phase'];
  /** Kinds that must be present (for the scenario's main pod). */
  readonly kinds: readonly StepKind[];
  readonly absent?: readonly StepKind[];
  readonly causes?: readonly Cause[];
  /** The field each cause points at (pod-relative). */
  readonly fields?: Partial<Record<Cause, string>>;
  /** The manifest line each cause lands on (`pod-birth explain --manifest manifest.json`). */
  readonly lines?: Partial<Record<Cause, number>>;
  /** Note kinds that must be there, and those that must not. */
  readonly notes?: readonly string[];
  readonly absentNotes?: readonly string[];
  /** For a container that restarted: the attempts its StartContainer steps must have. */
  readonly attempts?: { readonly container: string; readonly started: readonly number[] };
  /** Init containers that are native sidecars. */
  readonly sidecars?: readonly string[];
  /** Per pod of a scenario with several, what differs from the rest. */
  readonly pods?: Readonly<Record<string, Omit<Expectation, 'pods'>>>;
}

const START: readonly StepKind[] = ['created', 'scheduled', 'kubelet-accepted', 'sandbox-created', 'image-present'];

export const FAILURE_EXPECT: Record<string, Expectation> = {
  'start-error-command': {
    phase: 'failed',
    kinds: [...START, 'container-created', 'container-failed'],
    absent: ['container-started', 'back-off'],
    causes: ['start-error'],
    fields: { 'start-error': 'spec.containers[0].command' },
    lines: { 'start-error': 18 },
  },
  'start-error-permission': {
    phase: 'failed',
    kinds: [...START, 'container-created', 'container-failed'],
    absent: ['container-started'],
    causes: ['start-error'],
    fields: { 'start-error': 'spec.containers[0].command' },
    lines: { 'start-error': 18 },
  },
  'start-error-workdir': {
    phase: 'failed',
    kinds: [...START, 'container-created', 'container-failed'],
    absent: ['container-started'],
    causes: ['start-error'],
    fields: { 'start-error': 'spec.containers[0].workingDir' },
    lines: { 'start-error': 22 },
  },
  'deadline-exceeded': {
    phase: 'failed',
    kinds: [...START, 'container-started', 'container-killed', 'container-failed', 'deadline-exceeded'],
    causes: ['deadline-exceeded'],
    fields: { 'deadline-exceeded': 'spec.activeDeadlineSeconds' },
    lines: { 'deadline-exceeded': 13 },
  },
  'job-backoff-limit': {
    phase: 'failed',
    kinds: [...START, 'container-started', 'container-failed'],
    causes: ['backoff-limit-exceeded', 'container-exited'],
    fields: { 'backoff-limit-exceeded': 'spec.backoffLimit', 'container-exited': 'spec.containers[0]' },
  },
  'oom-killed': {
    phase: 'failed',
    kinds: [...START, 'container-started', 'container-failed'],
    causes: ['oom-killed'],
    fields: { 'oom-killed': 'spec.containers[0].resources.limits.memory' },
    lines: { 'oom-killed': 25 },
  },
  'evicted-ephemeral-storage': {
    phase: 'failed',
    kinds: [...START, 'container-started', 'container-killed', 'evicted'],
    causes: ['evicted'],
    fields: { evicted: 'spec.containers[0].resources.limits.ephemeral-storage' },
    lines: { evicted: 24 },
  },
  preempted: {
    phase: 'failed',
    kinds: [...START, 'container-started', 'container-killed', 'preempted'],
    causes: ['preempted'],
    fields: { preempted: 'spec.priorityClassName' },
    pods: {
      // The preemptor: failed to fit, nominated the node, bound once the victim was gone.
      high: { phase: 'ready', kinds: ['scheduling-failed', 'nominated', 'scheduled', 'container-started', 'ready'] },
    },
  },
  'scheduling-gated': {
    phase: 'ready',
    kinds: ['created', 'scheduling-gated', 'scheduled', 'container-started', 'ready'],
  },
  'readiness-gate': {
    phase: 'starting',
    kinds: [...START, 'container-started', 'containers-ready'],
    absent: ['ready'],
    causes: ['readiness-gate'],
    fields: { 'readiness-gate': 'spec.readinessGates' },
    lines: { 'readiness-gate': 13 },
  },
  'image-never-pull': {
    phase: 'failed',
    kinds: ['created', 'scheduled', 'sandbox-created', 'image-pull-failed'],
    absent: ['image-pull', 'container-created'],
    causes: ['image-never-pull'],
    fields: { 'image-never-pull': 'spec.containers[0].imagePullPolicy' },
    lines: { 'image-never-pull': 17 },
  },
  'invalid-image-name': {
    phase: 'failed',
    kinds: ['created', 'scheduled', 'sandbox-created', 'image-pull-failed'],
    absent: ['image-pull', 'container-created'],
    causes: ['invalid-image-name'],
    fields: { 'invalid-image-name': 'spec.containers[0].image' },
    lines: { 'invalid-image-name': 16 },
  },
  'registry-unreachable': {
    phase: 'failed',
    kinds: ['created', 'scheduled', 'sandbox-created', 'image-pull-failed', 'back-off'],
    absent: ['container-created'],
    causes: ['registry-unreachable'],
    fields: { 'registry-unreachable': 'spec.containers[0].image' },
    lines: { 'registry-unreachable': 16 },
  },
  'native-sidecar': {
    phase: 'ready',
    kinds: [...START, 'container-started', 'ready'],
    sidecars: ['sidecar'],
  },
  'native-sidecar-restart': {
    // The sidecar ran and exited three times (code 0: a sidecar is restarted whatever its code).
    phase: 'starting',
    kinds: [...START, 'container-started', 'back-off'],
    causes: ['crash-loop'],
    fields: { 'crash-loop': 'spec.initContainers[0]' },
    attempts: { container: 'sidecar', started: [0, 1, 2] },
    sidecars: ['sidecar'],
  },
  'init-failed-never': {
    phase: 'failed',
    kinds: [...START, 'container-started', 'container-failed'],
    absent: ['initialized', 'ready'],
    causes: ['container-exited'],
    fields: { 'container-exited': 'spec.initContainers[0]' },
    lines: { 'container-exited': 15 },
  },
  'restart-attempts': {
    phase: 'failed',
    kinds: [...START, 'container-created', 'container-started', 'container-failed', 'back-off'],
    causes: ['crash-loop'],
    fields: { 'crash-loop': 'spec.containers[0]' },
    lines: { 'crash-loop': 14 },
    attempts: { container: 'main', started: [0, 1, 2] },
  },
  'same-name-twice': {
    phase: 'ready',
    kinds: [...START, 'container-started', 'ready'],
    absentNotes: ['clock-skew'],
  },
  'statefulset-replaced': {
    phase: 'ready',
    kinds: [...START, 'container-started', 'ready'],
    absentNotes: ['clock-skew'],
  },
  'readiness-slow': {
    phase: 'ready',
    kinds: [...START, 'container-started', 'probe-failed', 'ready'],
    notes: ['info'],
  },
  'liveness-kill': {
    phase: 'ready',
    kinds: [...START, 'container-started', 'probe-failed', 'container-killed', 'container-failed'],
    causes: ['liveness-killed'],
    fields: { 'liveness-killed': 'spec.containers[0].livenessProbe' },
    lines: { 'liveness-killed': 21 },
    attempts: { container: 'main', started: [0, 1] },
  },
};
