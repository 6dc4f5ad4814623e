// The recorded rollout fixture (test/fixtures/recorded/rollout-<n>/evidence.json.gz): every traced
// pod's evidence, as its session kept it. Each session keeps every runtime-log record of its window
// (attribution to a pod happens when the trace is built), so the same node lines appear in most pods'
// evidence: they are stored once (`logs`) and each pod lists the indexes of its own.

import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RolloutWorkload } from '../../src/core/rollout/index.js';
import type { Evidence } from '../../src/core/trace/index.js';

type LogEvidence = Extract<Evidence, { type: 'log' }>;

interface Packed {
  readonly format: 'pod-birth-rollout-evidence';
  readonly version: 1;
  readonly workload: RolloutWorkload;
  readonly logs: readonly LogEvidence[];
  readonly pods: readonly { name: string; evidence: Evidence[]; logs: number[] }[];
}

export interface RolloutRecording {
  readonly workload: RolloutWorkload;
  readonly pods: readonly { readonly name: string; readonly evidence: readonly Evidence[] }[];
}

export function writeRolloutRecording(file: string, r: RolloutRecording): void {
  const index = new Map<string, number>();
  const logs: LogEvidence[] = [];
  const pods = r.pods.map((p) => {
    const own: number[] = [];
    const evidence: Evidence[] = [];
    for (const e of p.evidence) {
      if (e.type !== 'log') {
        evidence.push(e);
        continue;
      }
      const key = JSON.stringify(e);
      let i = index.get(key);
      if (i === undefined) {
        i = logs.length;
        logs.push(e);
        index.set(key, i);
      }
      own.push(i);
    }
    return { name: p.name, evidence, logs: own };
  });
  const packed: Packed = { format: 'pod-birth-rollout-evidence', version: 1, workload: r.workload, logs, pods };
  writeFileSync(file, gzipSync(JSON.stringify(packed), { level: 9 }));
}

/** Every pod's evidence back, log records in their recorded order after the other evidence. */
export function readRolloutRecording(file: string): RolloutRecording {
  const raw = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Packed | RolloutRecording;
  if (!('format' in raw)) return raw;
  return {
    workload: raw.workload,
    pods: raw.pods.map((p) => ({
      name: p.name,
      evidence: [...p.evidence, ...p.logs.map((i) => raw.logs[i] as LogEvidence)],
    })),
  };
}
