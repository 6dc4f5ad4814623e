// The real runtime lines of every combination the matrix recorded (test/fixtures/recorded/<combination>/
// <scenario>/, written by `npm run test:matrix`), plus the default combination's recordings
// (test/fixtures/recorded/<scenario>/): containerd 1.6, containerd 2.2 (prototext metadata) and CRI-O
// lines through the product's parsers (src/core/logs) and the trace fold, checked against the same
// lines read by the tests' own reader (test/support/runtime-lines.ts), which shares no code with them.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLogText } from '../../src/core/logs/index.js';
import type { CriRecord } from '../../src/core/model.js';
import { RECORDED_ROOT, evidenceOf, traceFor } from '../support/recorded.js';
import { isoMicros, micros, near, stepForCall, truthCalls } from '../support/runtime-lines.js';

interface Recording {
  combination: string;
  scenario: string;
  dir: string;
}

const hasRecording = (dir: string) => existsSync(join(dir, 'pod-watch.json'));
const recordings: Recording[] = [];
for (const entry of readdirSync(RECORDED_ROOT)) {
  const dir = join(RECORDED_ROOT, entry);
  if (hasRecording(dir)) recordings.push({ combination: 'containerd-1.34-open', scenario: entry, dir });
  else if (/^(containerd|containerd2|crio)-1\.\d+-(open|stock)$/.test(entry))
    for (const scenario of readdirSync(dir))
      if (hasRecording(join(dir, scenario)))
        recordings.push({ combination: entry, scenario, dir: join(dir, scenario) });
}

interface GroundTruth {
  uid: string;
  lines: string[];
}
const truthOf = (dir: string): Record<string, GroundTruth> =>
  existsSync(join(dir, 'ground-truth.json'))
    ? (JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as Record<string, GroundTruth>)
    : {};

/** Scenarios whose pods reach Ready: there every birth CRI call must be a step. */
const BIRTHS = new Set(['fresh-pull', 'image-present', 'init-container', 'deployment-3', 'native-sidecar']);

describe('recordings of every combination', () => {
  it('cover the three runtimes', () => {
    const runtimes = new Set(recordings.map((r) => r.combination.split('-')[0]));
    expect([...runtimes].sort()).toEqual(expect.arrayContaining(['containerd']));
    // Each combination folder holds at least one recording (an empty one means a failed matrix run).
    for (const entry of readdirSync(RECORDED_ROOT).filter((e) => /^(containerd|containerd2|crio)-/.test(e)))
      expect(
        recordings.some((r) => r.combination === entry),
        entry,
      ).toBe(true);
  });

  describe.each(recordings.map((r) => [`${r.combination}/${r.scenario}`, r] as const))('%s', (_name, rec) => {
    const truth = truthOf(rec.dir);
    const crio = rec.combination.startsWith('crio-');

    it('every CRI call the runtime logged is parsed with its rpc, phase and exact time', () => {
      for (const [pod, gt] of Object.entries(truth)) {
        const calls = truthCalls(gt.lines);
        const records = parseLogText(gt.lines.join('\n'), { referenceYear: 2026 }).records.filter(
          (r): r is CriRecord => r.type === 'cri',
        );
        for (const c of calls) {
          const r = records.find((x) => x.rpc === c.rpc && x.phase === c.phase && isoMicros(x.time.key) === c.micros);
          expect(r, `${pod}: ${c.rpc} ${c.phase} at ${c.time} (${c.line.slice(0, 160)})`).toBeDefined();
          expect(r?.runtime).toBe(crio ? 'cri-o' : 'containerd');
          if (c.container !== undefined && c.rpc === 'CreateContainer' && c.phase !== 'failed')
            expect(r?.container?.name, `${pod}: ${c.rpc} ${c.phase} container`).toBe(c.container);
        }
        // A pod that reached the node has its sandbox in the runtime's lines.
        if (gt.lines.length > 0)
          expect(
            calls.some((c) => c.rpc === 'RunPodSandbox' && c.phase === 'end'),
            pod,
          ).toBe(true);
      }
    });

    it('the trace shows the runtime’s CRI calls as steps within 1 ms and invents no runtime time', () => {
      const { evidence, pods } = evidenceOf(rec.dir);
      for (const pod of pods) {
        const gt = truth[pod];
        if (!gt || gt.lines.length === 0) continue;
        const t = traceFor(evidence, pod);
        expect(t.runtime, pod).toBe(crio ? 'cri-o' : 'containerd');
        const calls = truthCalls(gt.lines);
        if (BIRTHS.has(rec.scenario)) {
          const missing = calls.filter((c) => !stepForCall(t.steps, c));
          expect(
            missing.map((c) => `${c.rpc} ${c.phase} ${c.container ?? c.image ?? ''} ${c.time}`),
            `${pod}: calls without a step`,
          ).toEqual([]);
        }
        const times = gt.lines.map((l) => {
          const m = l.match(/(?:^|\s)time="([^"]+)"/)?.[1];
          return m === undefined ? undefined : isoMicros(m);
        });
        for (const s of t.steps.filter((x) => x.source === 'runtime-log'))
          for (const at of [s.start, s.end])
            if (at)
              expect(
                times.some((x) => x !== undefined && near(micros(at), x)),
                `${pod}: ${s.id} ${at.key}`,
              ).toBe(true);
      }
    });
  });
});
