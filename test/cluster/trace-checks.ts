// Checks on live traces shared by the cluster tests (test/cluster/live-trace.test.ts) and the
// real-cluster reliability suite (test/reliability/cluster/): ground truth read on the node, and the
// "nothing lost, nothing duplicated" comparison with a fresh attach.

import { expect } from 'vitest';
import { TraceSession, type Connection } from '../../src/cluster/index.js';
import type { Step, Trace } from '../../src/core/model.js';
import { micros, near, stepForCall, type TimedStep, type TruthCall } from '../support/runtime-lines.js';
import { combinationOf, runtimeLineMicros, runtimeLogLinesFor, truthCalls } from './harness.js';

export { GROUND_TRUTH_TOLERANCE_US, stepForCall, type TimedStep } from '../support/runtime-lines.js';

/** The first step of `kind` (for `container` when given). */
export const step = (t: Trace, kind: string, container?: string): Step | undefined =>
  t.steps.find((s) => s.kind === kind && (container === undefined || s.container === container));

/**
 * A trace that lived through a fault has the same steps as one attached afterwards (what the cluster
 * still holds): nothing lost, nothing duplicated. Returns the fresh trace.
 */
export async function expectSameAsFreshAttach(
  conn: Connection,
  namespace: string,
  t: Trace,
  name: string,
): Promise<Trace> {
  const fresh = new TraceSession({ conn, namespace, name, timeoutMs: 30_000, onEvent: () => undefined });
  await fresh.start();
  await fresh.finished;
  const ids = (x: Trace) => x.steps.map((s) => s.id).sort();
  expect(ids(t), `steps of ${namespace}/${name} vs. a fresh attach`).toEqual(ids(fresh.trace()));
  expect(new Set(ids(t)).size, `unique step ids of ${namespace}/${name}`).toBe(t.steps.length);
  return fresh.trace();
}

export interface GroundTruthResult {
  /** CRI calls (start, end and failure lines) the runtime logged for the pod. */
  calls: TruthCall[];
  /** Of those, the ones shown as a step within 1 ms. */
  matched: TruthCall[];
  missing: TruthCall[];
  /** Runtime-log step times that are no time the runtime wrote for this pod. */
  invented: string[];
}

/** Ground truth for a finished trace: the pod's runtime lines read on the node, against its steps. */
export async function groundTruthOf(t: { pod: Trace['pod']; steps: readonly TimedStep[] }): Promise<GroundTruthResult> {
  const truth = await runtimeLogLinesFor({
    namespace: t.pod.namespace ?? '',
    name: t.pod.name ?? '',
    uid: t.pod.uid ?? '',
  });
  const calls = truthCalls(truth.lines);
  const matched = calls.filter((c) => stepForCall(t.steps, c) !== undefined);
  const times = truth.lines.map(runtimeLineMicros).filter((x): x is number => x !== undefined);
  const invented: string[] = [];
  for (const s of t.steps) {
    if (s.source !== 'runtime-log') continue;
    for (const [what, at] of [
      ['start', s.start],
      ['end', s.end],
    ] as const) {
      const us = micros(at);
      if (us !== undefined && !times.some((x) => near(us, x))) invented.push(`${s.id} ${what} ${at?.key ?? ''}`);
    }
  }
  return { calls, matched, missing: calls.filter((c) => !matched.includes(c)), invented };
}

/**
 * Every birth CRI call the runtime logged for the pod (RunPodSandbox, PullImage, CreateContainer,
 * StartContainer: start, end and failure lines) appears as a step whose time is within 1 ms of the
 * runtime's own timestamp, and no runtime-log step has a time the runtime did not write for this
 * pod. The lines are read on the node (journal) and classified without the product's parsers.
 * Returns how many calls were compared.
 */
export async function expectMatchesGroundTruth(t: Trace): Promise<number> {
  const who = `${t.pod.namespace ?? ''}/${t.pod.name ?? ''}`;
  const gt = await groundTruthOf(t);
  expect(
    gt.calls.some((c) => c.rpc === 'RunPodSandbox' && c.phase === 'end'),
    `RunPodSandbox of ${who} logged`,
  ).toBe(true);
  expect(
    gt.missing.map((c) => `${c.rpc} ${c.phase} ${c.container ?? c.image ?? ''}#${c.attempt ?? ''} at ${c.time}`),
    `CRI calls of ${who} not shown as a step within 1 ms (steps: ${t.steps
      .filter((s) => s.source === 'runtime-log')
      .map((s) => `${s.id} ${s.start?.key ?? '-'}..${s.end?.key ?? '-'}`)
      .join(', ')})`,
  ).toEqual([]);
  expect(gt.invented, `runtime-log step times of ${who} that the runtime never wrote`).toEqual([]);
  return gt.calls.length;
}

/** Digits after the second that a precision keeps (an Instant key always has 9). */
const KEPT_DIGITS: Record<Step['precision'], number> = { s: 0, ms: 3, us: 6, ns: 9 };

/**
 * Every time claims no more than it has: a step's precision is its start's or end's, and the
 * digits below it are zero (a whole-second event time is not shown as 12:00:01.000000000 "ns").
 */
export function expectHonestPrecision(t: Trace): void {
  for (const s of t.steps) {
    for (const at of [s.start, s.end]) {
      if (!at) continue;
      const frac = at.key.slice(20, 29);
      expect(frac.slice(KEPT_DIGITS[at.precision]), `${s.id}: ${at.key} is ${at.precision}`).toMatch(/^0*$/);
    }
    if (s.start || s.end)
      expect([s.start?.precision, s.end?.precision], `${s.id}: step precision vs. its times`).toContain(s.precision);
  }
}

export type GroundTruthVerdict =
  { mode: 'matched'; calls: number; precisions: string[] } | { mode: 'degraded'; note: string; precisions: string[] };

/**
 * The ground-truth check for the running combination. Open node logs: every CRI call the runtime
 * logged is a step within 1 ms (expectMatchesGroundTruth). Stock node logs (Node Log Query off, no
 * runtime log under /var/log): the product cannot read the runtime's lines, so the trace must say
 * so (a `degraded` note about the runtime log, naming the kubelet setting that would open it), take
 * no step from a runtime or kubelet log, and label every time with its real precision.
 */
export async function expectGroundTruth(t: Trace): Promise<GroundTruthVerdict> {
  expectHonestPrecision(t);
  const precisions = [...new Set(t.steps.map((s) => `${s.source}:${s.precision}`))].sort();
  if (combinationOf().nodeLogs === 'open') {
    const calls = await expectMatchesGroundTruth(t);
    expect(
      t.steps.filter((s) => s.source === 'runtime-log').every((s) => s.precision === 'ns' || s.precision === 'us'),
      'runtime-log steps keep the runtime’s sub-millisecond precision',
    ).toBe(true);
    return { mode: 'matched', calls, precisions };
  }
  const note = t.notes.find((n) => n.kind === 'degraded' && n.source === 'runtime-log');
  expect(note, `a degraded note about the runtime log in ${JSON.stringify(t.notes)}`).toBeDefined();
  expect(`${note?.message ?? ''} ${note?.remedy ?? ''}`).toMatch(/enableSystemLogQuery/);
  expect(
    t.steps.filter((s) => s.source === 'runtime-log' || s.source === 'kubelet-log').map((s) => s.id),
    'steps from node logs the kubelet does not serve',
  ).toEqual([]);
  expect(
    t.steps.some((s) => s.precision === 'ns'),
    'no ns time without a runtime log',
  ).toBe(false);
  return { mode: 'degraded', note: `${note?.message ?? ''} — ${note?.remedy ?? ''}`, precisions };
}
