// Reliability on the real cluster: the apiserver crashes (SIGKILL), stays down 8 s and comes back
// while 10 pods are being born, each traced live through the runner (apply mode, confirmed). Every
// trace must complete with no lost and no duplicated step: the same steps as a fresh attach
// afterwards, and CRI times equal to containerd's own log lines (read on the node). While the
// apiserver is down the watches back off instead of hammering it (requests counted through the
// request logger).

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection, setRequestLogger, type Connection } from '../../../src/cluster/index.js';
import {
  clusterEnv,
  createNamespace,
  daemon,
  deleteNamespace,
  ensureImagePresent,
  percentile,
} from '../../cluster/harness.js';
import { expectMatchesGroundTruth, expectSameAsFreshAttach, step } from '../../cluster/trace-checks.js';
import { applyAndTrace, podManifest, reportNumbers, sleep, until } from './support.js';

const TRACES = 10;
/** How long the apiserver stays down: longer than the init containers' sleep, so containers start
 * (and the kubelet queues status updates) while nobody can watch. */
const DOWN_MS = 8000;

let conn: Connection;
let ns: string;

beforeAll(async () => {
  conn = loadConnection({ kubeconfig: clusterEnv().kubeconfig });
  ns = await createNamespace('pb-rel-api');
  await ensureImagePresent(ns, 'busybox:1.36');
});

afterEach(async () => {
  setRequestLogger(null);
  await daemon('start', 'kube-apiserver');
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

describe('apiserver crash and restart', () => {
  it(`${TRACES} concurrent traces survive it: all complete, nothing lost, nothing duplicated`, async () => {
    const requests: { at: number; line: string }[] = [];
    setRequestLogger((line) => requests.push({ at: Date.now(), line }));
    const lives = await Promise.all(
      Array.from({ length: TRACES }, (_, i) =>
        applyAndTrace(conn, podManifest(ns, `survivor-${i}`, { initSleep: 6 }), { timeoutMs: 180_000 }),
      ),
    );
    // Crash the apiserver once every pod is past its sandbox and inside its init container.
    await until(
      'every init container started',
      () => lives.every((l) => !!step(l.trace(), 'container-started', 'wait')),
      90_000,
    );
    const killedAt = Date.now();
    await daemon('kill', 'kube-apiserver');
    const killDone = Date.now();
    await sleep(DOWN_MS);
    await daemon('start', 'kube-apiserver');
    const upAt = Date.now();
    const outcomes = await Promise.all(lives.map((l) => l.finished));
    const doneAt = Date.now();

    // Requests made while the apiserver was down: the watches retry with back-off (0.25 → 8 s).
    const duringDown = requests.filter((r) => r.at >= killDone && r.at < upAt);
    const watchDuringDown = duringDown.filter((r) => /[?&]watch=1/.test(r.line));
    const watchesOpen = lives.reduce((n, l) => n + l.session.watchCount, 0);
    const downS = (upAt - killedAt) / 1000;
    const retryingStates = lives.flatMap((l) =>
      l.states().filter((s) => s.at >= killedAt && /retrying/.test(s.message)),
    );
    const readyAfterUpMs = lives.map((l) => {
      const end = l.events.find((e) => e.event.type === 'finished')?.at ?? doneAt;
      return end - upAt;
    });
    reportNumbers('apiserver restart', {
      traces: TRACES,
      survived: outcomes.filter((o) => o === 'ready').length,
      outcomes,
      apiserverDownMs: upAt - killedAt,
      watchesOpen,
      watchRequestsWhileDown: watchDuringDown.length,
      watchRequestsPerWatchPerSecondWhileDown: Number((watchDuringDown.length / watchesOpen / downS).toFixed(2)),
      allRequestsWhileDown: duringDown.length,
      retryingStates: retryingStates.length,
      finishedMsAfterApiserverUp: { p50: percentile(readyAfterUpMs, 50), max: Math.max(...readyAfterUpMs) },
    });

    expect(outcomes).toEqual(Array.from({ length: TRACES }, () => 'ready'));
    // Each watch tries at most ~1 + log2(down / 0.25 s) times while the apiserver is down.
    const perWatchBound = 2 + Math.ceil(Math.log2(Math.max(1, (upAt - killDone) / 250)));
    expect(watchDuringDown.length).toBeLessThanOrEqual(watchesOpen * perWatchBound);
    let compared = 0;
    for (const l of lives) {
      const trace = l.trace();
      expect(step(trace, 'ready'), `${l.name} ready`).toBeDefined();
      await expectSameAsFreshAttach(conn, ns, trace, l.name);
      compared += await expectMatchesGroundTruth(trace);
    }
    reportNumbers('apiserver restart: ground truth', { criTimesComparedWithContainerdLog: compared });
  });
});
