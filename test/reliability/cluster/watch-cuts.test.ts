// Reliability on the real cluster: the TCP connections between Pod Birth and the apiserver are cut
// again and again (a loopback proxy drops them) while several pods are being born. After every cut
// each watch must be streaming again within 2 s; one cut happens while the watches' resourceVersion
// is too old (410 Gone on resume → relist); no step is lost or duplicated.
//
// How "streaming again" is measured: right after a cut the test changes every traced pod (an
// annotation) and creates an Event about it, directly on the apiserver. A watch has resumed when it
// has received that change, i.e. its resourceVersion reached the marker's. That is the time from
// the cut until the watch delivers data again, reconnect, TLS, resume (or relist) included.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection, type Connection, type ResumableWatch, type TraceSession } from '../../../src/cluster/index.js';
import { requestJson } from '../../../src/cluster/http.js';
import {
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  loopbackProxy,
  percentile,
  type LoopbackProxy,
} from '../../cluster/harness.js';
import { expectMatchesGroundTruth, expectSameAsFreshAttach, step } from '../../cluster/trace-checks.js';
import { applyAndTrace, podManifest, reportNumbers, sleep, until, type LiveTrace } from './support.js';

const TRACES = 4;
const CUTS = 8;
const GONE_AT_CUT = 4;
const CUT_EVERY_MS = 2500;

let admin: Connection;
let proxy: LoopbackProxy;
let ns: string;

beforeAll(async () => {
  admin = loadConnection({ kubeconfig: clusterEnv().kubeconfig });
  ns = await createNamespace('pb-rel-cut');
  await ensureImagePresent(ns, 'busybox:1.36');
  proxy = await loopbackProxy();
});

afterAll(async () => {
  await proxy?.close();
  if (ns) await deleteNamespace(ns);
});

/** The session's three watches (read-only use). */
function watches(s: TraceSession): { name: string; w: ResumableWatch }[] {
  const names = ['pods', 'events', 'events.k8s.io'];
  return s.watchList.map((w, i) => ({ name: names[i] ?? `watch${i}`, w }));
}

const reached = (rv: string, marker: string): boolean => rv !== '' && BigInt(rv) >= BigInt(marker);

/** Changes the pod and adds an Event about it, directly on the apiserver; returns both resourceVersions. */
async function markers(t: LiveTrace, cut: number): Promise<{ pod: string; event: string }> {
  const uid = t.trace().pod.uid ?? '';
  const pod = await requestJson<{ metadata: { resourceVersion: string } }>(admin, {
    method: 'PATCH',
    path: `/api/v1/namespaces/${ns}/pods/${t.name}`,
    body: { metadata: { annotations: { 'pod-birth.test/cut': String(cut) } } },
    contentType: 'application/merge-patch+json',
    describe: { verb: 'patch', resource: 'pods', namespace: ns },
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ev = await requestJson<{ metadata: { resourceVersion: string } }>(admin, {
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/events`,
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${t.name}.cut-` },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: t.name, namespace: ns, uid },
      reason: 'PodBirthTestCut',
      message: `connection cut ${cut}`,
      type: 'Normal',
      source: { component: 'pod-birth-test' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
    describe: { verb: 'create', resource: 'events', namespace: ns },
  });
  return { pod: pod.metadata.resourceVersion, event: ev.metadata.resourceVersion };
}

describe('watch streams cut repeatedly', () => {
  it(`${CUTS} cuts across ${TRACES} live traces: every watch streams again within 2 s, 410 relists, nothing lost or duplicated`, async () => {
    const viaProxy = loadConnection({ kubeconfig: proxy.kubeconfig });
    const lives = await Promise.all(
      Array.from({ length: TRACES }, (_, i) =>
        applyAndTrace(viaProxy, podManifest(ns, `cut-${i}`, { initSleep: 26 }), { timeoutMs: 150_000 }),
      ),
    );
    // All three watches of every trace past their first list and streaming.
    const streaming = (l: LiveTrace): boolean =>
      ['pod watch watching', 'events watch watching', 'events.events.k8s.io watch watching'].every((p) =>
        l.states().some((s) => s.message.startsWith(p)),
      );
    await until(
      'all watches streaming',
      () => lives.every((l) => streaming(l) && watches(l.session).length === 3),
      30_000,
    );
    await sleep(500);

    const samples: { cut: number; pod: string; watch: string; ms: number; attemptMs: number }[] = [];
    let connectionsCut = 0;
    for (let cut = 1; cut <= CUTS; cut++) {
      if (cut === GONE_AT_CUT) {
        // The resourceVersion the pod watches resume from is long compacted: the apiserver answers 410.
        for (const l of lives) (watches(l.session)[0]!.w as unknown as { rv: string }).rv = '1';
      }
      const cutAt = Date.now();
      connectionsCut += proxy.cut();
      const marks = await Promise.all(lives.map((l) => markers(l, cut)));
      await Promise.all(
        lives.map(async (l, i) => {
          const m = marks[i]!;
          await Promise.all(
            watches(l.session).map(async ({ name, w }) => {
              const marker = name === 'pods' ? m.pod : m.event;
              while (!reached(w.resourceVersion, marker) && Date.now() - cutAt < 15_000) await sleep(5);
              const prefix =
                name === 'pods' ? 'pod watch' : name === 'events' ? 'events watch' : 'events.events.k8s.io watch';
              const attempt = l.states().find((st) => st.at >= cutAt && st.message.startsWith(`${prefix} resumed`));
              samples.push({
                cut,
                pod: l.name,
                watch: name,
                ms: Date.now() - cutAt,
                attemptMs: attempt ? attempt.at - cutAt : -1,
              });
            }),
          );
        }),
      );
      await sleep(Math.max(0, CUT_EVERY_MS - (Date.now() - cutAt)));
    }

    const outcomes = await Promise.all(lives.map((l) => l.finished));
    const ms = samples.map((s) => s.ms);
    const perCutMax = Array.from({ length: CUTS }, (_, i) =>
      Math.max(...samples.filter((s) => s.cut === i + 1).map((s) => s.ms)),
    );
    const stats = lives.map((l) => l.session.watchStats);
    const retrying = lives.flatMap((l) =>
      l
        .states()
        .filter((s) => /retrying/.test(s.message))
        .map((s) => s.message),
    );
    reportNumbers('watch cuts', {
      traces: TRACES,
      cuts: CUTS,
      connectionsCut,
      samples: samples.length,
      resumeMs: { p50: percentile(ms, 50), p90: percentile(ms, 90), max: Math.max(...ms), min: Math.min(...ms) },
      perCutMaxMs: perCutMax,
      // From the cut to the watch's next request (back-off included), for comparison.
      reconnectAttemptMs: {
        p50: percentile(
          samples.map((s) => s.attemptMs),
          50,
        ),
        max: Math.max(...samples.map((s) => s.attemptMs)),
      },
      goneAtCut: GONE_AT_CUT,
      podWatchRelists: stats.map((s) => s[0]?.relists),
      resumesPerWatch: stats.map((s) => s.map((w) => w.resumes)),
      outcomes,
    });

    expect(samples).toHaveLength(CUTS * TRACES * 3);
    for (const s of samples)
      expect(s.ms, `cut ${s.cut}: ${s.pod} ${s.watch} watch resumed after ${s.ms} ms`).toBeLessThan(2000);
    expect(outcomes.every((o) => o === 'ready')).toBe(true);
    // A dropped connection is reported as what it is, never as a certificate problem.
    expect(retrying.filter((m) => /TLS|certificate/.test(m))).toEqual([]);
    expect(retrying.length).toBeGreaterThan(0);
    for (const s of stats) {
      expect(s, 'every trace kept its three watches').toHaveLength(3);
      expect(s[0]?.relists, '410 on resume → relist').toBeGreaterThanOrEqual(1);
      for (const w of s) expect(w.resumes).toBeGreaterThanOrEqual(CUTS);
    }
    for (const l of lives) {
      const trace = l.trace();
      expect(step(trace, 'ready')).toBeDefined();
      await expectSameAsFreshAttach(admin, ns, trace, l.name);
      expect(await expectMatchesGroundTruth(trace)).toBeGreaterThanOrEqual(6);
    }
  });
});
