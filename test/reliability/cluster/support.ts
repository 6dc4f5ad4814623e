// Shared pieces of the real-cluster reliability suite: pod manifests, apply & trace through the one
// runner the CLI and the editor use (src/cluster/runner.ts), and a place for the measured numbers.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  resolveTargetOn,
  startRun,
  type Connection,
  type KubeObject,
  type Outcome,
  type SessionEvent,
  type TraceSession,
} from '../../../src/cluster/index.js';
import type { Trace } from '../../../src/core/model.js';

export interface PodOptions {
  /** Seconds an init container sleeps first (keeps the birth going while a fault is injected). */
  initSleep?: number;
  image?: string;
  extra?: Record<string, unknown>;
  containers?: object[];
}

/** A Pod manifest (namespace set: the apply goes exactly where the session watches). */
export function podManifest(namespace: string, name: string, o: PodOptions = {}): KubeObject {
  const image = o.image ?? 'busybox:1.36';
  const spec: Record<string, unknown> = {
    terminationGracePeriodSeconds: 0,
    containers: o.containers ?? [{ name: 'app', image, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    ...o.extra,
  };
  if (o.initSleep)
    spec.initContainers = [
      { name: 'wait', image, imagePullPolicy: 'IfNotPresent', command: ['sleep', String(o.initSleep)] },
    ];
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec };
}

export interface LiveTrace {
  readonly name: string;
  readonly session: TraceSession;
  readonly events: { at: number; event: SessionEvent }[];
  readonly finished: Promise<Outcome>;
  trace(): Trace;
  /** 'state' messages (watch listed/resumed/retrying, node logs, disturbances), with their times. */
  states(): { at: number; message: string }[];
  errors(): SessionEvent[];
}

/** Apply & trace one Pod through startRun (mode apply, confirmed by "test"), as the CLI does. */
export async function applyAndTrace(
  conn: Connection,
  obj: KubeObject,
  opts: { timeoutMs?: number } = {},
): Promise<LiveTrace> {
  const events: { at: number; event: SessionEvent }[] = [];
  let session: TraceSession | undefined;
  const r = await startRun({
    target: resolveTargetOn(conn, { kind: 'object', object: obj, mode: 'apply' }),
    timeoutMs: opts.timeoutMs ?? 120_000,
    session: { failureGraceMs: 6000 },
    confirm: async () => 'test',
    onPod: (_n, s) => (session = s),
    onEvent: (_n, e) => events.push({ at: Date.now(), event: e }),
  });
  if (r.status !== 'running' || !session) throw new Error(`startRun did not start a trace: ${r.status}`);
  const s = session;
  return {
    name: obj.metadata?.name ?? '',
    session: s,
    events,
    finished: r.run.finished,
    trace: () => s.trace(),
    states: () => events.flatMap((e) => (e.event.type === 'state' ? [{ at: e.at, message: e.event.message }] : [])),
    errors: () => events.flatMap((e) => (e.event.type === 'error' ? [e.event] : [])),
  };
}

/** Wait until `pred` holds for the live trace (polled every 50 ms). */
export async function until(what: string, pred: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Record measured numbers under test/artifacts/reliability/cluster-numbers.json (merged by key) and
 * print them, so a run's report can quote them.
 */
export function reportNumbers(key: string, numbers: Record<string, unknown>): void {
  const dir = join(process.cwd(), 'test', 'artifacts', 'reliability');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'cluster-numbers.json');
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  all[key] = { ...numbers, measuredAt: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  console.log(`[numbers] ${key}: ${JSON.stringify(numbers)}`);
}
