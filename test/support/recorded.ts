// Loading the real recordings in test/fixtures/recorded/<scenario>/ (written by
// test/cluster/record-fixtures.test.ts) as engine evidence, for every test that replays them.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trace } from '../../src/core/model.js';
import { parseLogText } from '../../src/core/logs/index.js';
import { instantFromMs } from '../../src/core/time.js';
import { TraceState, buildTrace, type Evidence } from '../../src/core/trace/index.js';

export const RECORDED_ROOT = join(__dirname, '..', 'fixtures', 'recorded');

/** Scenario folder names that hold a recording. */
export function recordedScenarios(): string[] {
  return readdirSync(RECORDED_ROOT).filter((d) => existsSync(join(RECORDED_ROOT, d, 'pod-watch.json')));
}

const readJson = (dir: string, f: string): unknown => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const maybe = (dir: string, f: string): string => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');

export function evidenceOf(dir: string): { evidence: Evidence[]; pods: string[] } {
  const evidence: Evidence[] = [];
  const watch = readJson(dir, 'pod-watch.json') as { receivedAt: number; object: { metadata?: { name?: string } } }[];
  const pods = [...new Set(watch.map((w) => w.object.metadata?.name ?? ''))].filter(Boolean);
  for (const w of watch) evidence.push({ type: 'pod', object: w.object, receivedAt: instantFromMs(w.receivedAt) });
  for (const f of ['events.json', 'events-v1.json']) {
    if (!existsSync(join(dir, f))) continue;
    const list = readJson(dir, f) as { items?: unknown[] };
    for (const e of list.items ?? []) evidence.push({ type: 'event', object: e });
  }
  if (existsSync(join(dir, 'events-watch.json'))) {
    for (const w of readJson(dir, 'events-watch.json') as { receivedAt: number; object: unknown }[])
      evidence.push({ type: 'event', object: w.object, receivedAt: instantFromMs(w.receivedAt) });
  }
  const year = new Date((readJson(dir, 'meta.json') as { startedAt: string }).startedAt).getUTCFullYear();
  // The runtime's log: containerd.log (containerd 1.6 and 2.x) or crio.log (recordings on CRI-O).
  for (const f of ['containerd.log', 'crio.log', 'kubelet.log'])
    for (const record of parseLogText(maybe(dir, f), { referenceYear: year }).records)
      evidence.push({ type: 'log', record });
  const node = readJson(dir, 'node.json') as {
    metadata?: { name?: string };
    status?: { nodeInfo?: { containerRuntimeVersion?: string } };
    name?: string;
    containerRuntimeVersion?: string;
  };
  const nodeName = node.metadata?.name ?? node.name;
  if (nodeName)
    evidence.push({
      type: 'node',
      name: nodeName,
      runtimeVersion: node.status?.nodeInfo?.containerRuntimeVersion ?? node.containerRuntimeVersion ?? null,
    });
  return { evidence, pods };
}

/** The trace of one pod of a scenario (scenarios with several pods hold all their evidence). */
export function traceFor(evidence: readonly Evidence[], pod: string): Trace {
  const s = new TraceState();
  s.addAll(evidence.filter((e) => e.type !== 'pod' || e.object.metadata?.name === pod));
  return buildTrace(s);
}

/** The trace of a scenario's first pod (or the named one). */
export function recordedTrace(scenario: string, pod?: string): Trace {
  const { evidence, pods } = evidenceOf(join(RECORDED_ROOT, scenario));
  return traceFor(evidence, pod ?? pods[0] ?? '');
}
