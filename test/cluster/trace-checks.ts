// Checks on live traces shared by the cluster tests (test/cluster/live-trace.test.ts) and the
// real-cluster reliability suite (test/reliability/cluster/): ground truth read on the node, and the
// "nothing lost, nothing duplicated" comparison with a fresh attach.

import { expect } from 'vitest';
import { TraceSession, type Connection } from '../../src/cluster/index.js';
import { parseLogText } from '../../src/core/logs/index.js';
import type { Step, Trace } from '../../src/core/model.js';
import { runtimeLogLinesFor } from './harness.js';

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

/** Every CRI step time in the trace equals (to the ms) containerd's own line for it. Returns how many times were compared. */
export async function expectMatchesGroundTruth(t: Trace): Promise<number> {
  const truth = await runtimeLogLinesFor({
    namespace: t.pod.namespace ?? '',
    name: t.pod.name ?? '',
    uid: t.pod.uid ?? '',
  });
  const records = parseLogText(truth.lines.join('\n'), { referenceYear: new Date().getUTCFullYear() }).records.filter(
    (r) => r.type === 'cri',
  );
  const ms = (k: string | undefined): string | undefined => k?.slice(0, 23);
  const who = `${t.pod.namespace ?? ''}/${t.pod.name ?? ''}`;
  let compared = 0;
  const pick = (rpc: string, phase: string, pred: (r: (typeof records)[number]) => boolean = () => true) =>
    records.find((r) => r.type === 'cri' && r.rpc === rpc && r.phase === phase && pred(r));
  const sb = step(t, 'sandbox-created');
  expect(sb, `sandbox step of ${who}`).toBeDefined();
  expect(ms(sb?.start?.key), `RunPodSandbox start of ${who}`).toBe(ms(pick('RunPodSandbox', 'start')?.time.key));
  expect(ms(sb?.end?.key), `RunPodSandbox end of ${who}`).toBe(ms(pick('RunPodSandbox', 'end')?.time.key));
  compared += 2;
  for (const c of t.containers) {
    const created = step(t, 'container-created', c.name);
    const ce = pick(
      'CreateContainer',
      'end',
      (r) => r.type === 'cri' && r.container?.name === c.name && (r.container?.attempt ?? 0) === 0,
    );
    if (!ce) continue;
    expect(ms(created?.start?.key), `CreateContainer ${c.name} start of ${who}`).toBe(
      ms(
        pick(
          'CreateContainer',
          'start',
          (r) => r.type === 'cri' && r.container?.name === c.name && (r.container?.attempt ?? 0) === 0,
        )?.time.key,
      ),
    );
    expect(ms(created?.end?.key), `CreateContainer ${c.name} end of ${who}`).toBe(ms(ce.time.key));
    const started = step(t, 'container-started', c.name);
    const ss = pick(
      'StartContainer',
      'start',
      (r) => r.type === 'cri' && r.containerId === (ce.type === 'cri' ? ce.containerId : ''),
    );
    const se = pick(
      'StartContainer',
      'end',
      (r) => r.type === 'cri' && r.containerId === (ce.type === 'cri' ? ce.containerId : ''),
    );
    expect(ms(started?.start?.key), `StartContainer ${c.name} start of ${who}`).toBe(ms(ss?.time.key));
    expect(ms(started?.end?.key), `StartContainer ${c.name} end of ${who}`).toBe(ms(se?.time.key));
    compared += 4;
  }
  return compared;
}
