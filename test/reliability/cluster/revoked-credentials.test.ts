// Reliability on the real cluster: the credentials stop working in the middle of a trace. A bound
// ServiceAccount token cannot be made to expire sooner than 10 min (TokenRequest minimum), so the
// test revokes instead: it deletes the ServiceAccount (its token → 401), or the RoleBinding (→ 403),
// or the ClusterRoleBinding that granted nodes/proxy. Each time the user gets a clear message that
// says what to do, and Pod Birth does not keep asking: requests after the revocation are counted
// through the request logger.

import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection, setRequestLogger, type Connection } from '../../../src/cluster/index.js';
import {
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  kubectl,
  loopbackProxy,
  mintKubeconfig,
  type MintedKubeconfig,
  type PolicyRule,
} from '../../cluster/harness.js';
import { step } from '../../cluster/trace-checks.js';
import { applyAndTrace, podManifest, reportNumbers, sleep, until, type LiveTrace } from './support.js';

/** Enough for a full trace: pods (incl. create), events, the node and its logs. */
const RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['list', 'watch'] },
];
const CLUSTER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
  { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
];
/** How long requests are counted after the revocation. */
const WINDOW_MS = 30_000;
/** At most this many requests in that window. The apiserver caches a successful token check for 10 s,
 * so a deleted ServiceAccount's token keeps working that long: ~7 node-log polls still succeed. */
const MAX_REQUESTS = 10;

let ns: string;
const minted: MintedKubeconfig[] = [];

beforeAll(async () => {
  clusterEnv();
  ns = await createNamespace('pb-rel-auth');
  await ensureImagePresent(ns, 'busybox:1.36');
});

afterEach(async () => {
  setRequestLogger(null);
  // A trace that did not end must not make requests during the next test.
  await Promise.all(lives.splice(0).map((l) => l.session.stop()));
});

afterAll(async () => {
  // cleanup() removes the RBAC objects; the token kubeconfig file is removed here.
  for (const m of minted) {
    await m.cleanup().catch(() => undefined);
    rmSync(m.path, { force: true });
  }
  if (ns) await deleteNamespace(ns);
});

async function mint(name: string): Promise<MintedKubeconfig> {
  const m = await mintKubeconfig(name, ns, RULES, { clusterRules: CLUSTER_RULES });
  minted.push(m);
  return m;
}

const lives: LiveTrace[] = [];

/** Starts a long birth (init container sleeping 60 s) and waits until the node logs are being read. */
async function longTrace(conn: Connection, name: string): Promise<LiveTrace> {
  const live = await applyAndTrace(conn, podManifest(ns, name, { initSleep: 60 }), { timeoutMs: 120_000 });
  lives.push(live);
  await until(
    'the init container started (runtime log read)',
    () => step(live.trace(), 'container-started', 'wait')?.source === 'runtime-log',
    60_000,
  );
  return live;
}

/** Records every request made from now on (method and path only: the logger never sees headers). */
function countRequests(): { stop: () => string[]; since: (ms: number) => string[] } {
  const lines: { at: number; line: string }[] = [];
  setRequestLogger((line) => lines.push({ at: Date.now(), line }));
  return {
    stop: () => {
      setRequestLogger(null);
      return lines.map((l) => l.line);
    },
    since: (ms) => lines.filter((l) => l.at > ms).map((l) => l.line),
  };
}

/** When the trace reported its error. */
const errorAt = (live: LiveTrace): number | undefined => live.events.find((e) => e.event.type === 'error')?.at;

describe('credentials revoked mid-trace', () => {
  it('ServiceAccount deleted (token no longer valid → 401): re-authenticate message, no retry loop', async () => {
    const m = await mint('pb-revoked-sa');
    const conn = loadConnection({ kubeconfig: m.path });
    const live = await longTrace(conn, 'revoked-sa');
    const counter = countRequests();
    const revokedAt = Date.now();
    await kubectl(['-n', ns, 'delete', 'serviceaccount', m.serviceAccount]);
    await sleep(WINDOW_MS);
    const afterError = counter.since(errorAt(live) ?? revokedAt);
    const after = counter.stop();
    const outcome = await Promise.race([live.finished, sleep(1000).then(() => 'still running')]);
    const errors = live.errors().map((e) => (e.type === 'error' ? e.error : null));
    const endedAt = live.events.find((e) => e.event.type === 'finished')?.at;
    reportNumbers('revoked: ServiceAccount deleted (401)', {
      requestsIn30sAfterRevocation: after.length,
      requestsAfterThe401: afterError.length,
      requests: after,
      outcome,
      traceEndedMsAfterRevocation: endedAt ? endedAt - revokedAt : null,
      message: errors[0]?.message,
    });
    expect(outcome).toBe('stopped');
    expect(errors[0]?.kind).toBe('unauthorized');
    expect(errors[0]?.message).toMatch(/did not accept your credentials \(401\).*log in again/);
    expect(errors[0]?.message).not.toContain(m.token.slice(0, 20));
    expect(after.length).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(afterError, 'nothing is asked again after the 401').toEqual([]);
  });

  it('RoleBinding deleted (→ 403) and the connection drops: a forbidden message naming the verb and resource, no retry loop', async () => {
    const m = await mint('pb-revoked-rb');
    const proxy = await loopbackProxy(m.path);
    try {
      const conn = loadConnection({ kubeconfig: proxy.kubeconfig });
      const live = await longTrace(conn, 'revoked-rb');
      const counter = countRequests();
      const revokedAt = Date.now();
      await kubectl(['-n', ns, 'delete', 'rolebinding', m.serviceAccount]);
      // Open watches keep streaming after a revocation (authorization is checked per request): the
      // revocation bites when they reconnect, as after any dropped connection.
      await sleep(1000);
      proxy.cut();
      await sleep(WINDOW_MS - 1000);
      const afterError = counter.since(errorAt(live) ?? revokedAt);
      const after = counter.stop();
      const outcome = await Promise.race([live.finished, sleep(1000).then(() => 'still running')]);
      const errors = live.errors().map((e) => (e.type === 'error' ? e.error : null));
      const endedAt = live.events.find((e) => e.event.type === 'finished')?.at;
      reportNumbers('revoked: RoleBinding deleted (403)', {
        requestsIn30sAfterRevocation: after.length,
        requestsAfterThe403: afterError.length,
        requests: after,
        outcome,
        traceEndedMsAfterRevocation: endedAt ? endedAt - revokedAt : null,
        message: errors[0]?.message,
      });
      expect(outcome).toBe('stopped');
      expect(errors[0]?.kind).toBe('forbidden');
      expect(errors[0]?.message).toMatch(
        new RegExp(
          `Forbidden: context "[^"]+" may not watch pods in namespace "${ns}".*Ask a cluster admin for a Role granting "watch" on "pods"`,
        ),
      );
      expect(after.length).toBeLessThanOrEqual(MAX_REQUESTS);
      expect(afterError, 'nothing is asked again after the 403').toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('nodes/proxy revoked: the trace goes on without runtime logs and says so, no retry loop', async () => {
    const m = await mint('pb-revoked-np');
    const conn = loadConnection({ kubeconfig: m.path });
    const live = await longTrace(conn, 'revoked-np');
    const revokedAt = Date.now();
    await kubectl(['delete', 'clusterrolebinding', `pod-birth-test:${ns}:${m.serviceAccount}`]);
    await until(
      'a degraded note about nodes/proxy',
      () => live.trace().notes.some((n) => n.kind === 'degraded' && n.source === 'runtime-log'),
      20_000,
    );
    const notedAt = Date.now();
    const counter = countRequests();
    await sleep(10_000);
    const after = counter.stop();
    const nodeProxyRequests = after.filter((l) => /\/proxy\//.test(l));
    const note = live.trace().notes.find((n) => n.kind === 'degraded' && n.source === 'runtime-log');
    reportNumbers('revoked: nodes/proxy ClusterRoleBinding deleted (403 on node logs)', {
      noteMsAfterRevocation: notedAt - revokedAt,
      requestsIn10sAfterNote: after.length,
      nodeProxyRequestsIn10sAfterNote: nodeProxyRequests.length,
      stillRunning: live.events.every((e) => e.event.type !== 'finished'),
      note: note?.message,
    });
    expect(note?.message).toMatch(/not readable \(no get on nodes\/proxy\)/);
    expect(note?.remedy).toMatch(/Grant get on nodes\/proxy/);
    expect(nodeProxyRequests, 'node proxy reads stop after the first 403').toEqual([]);
    // The trace itself goes on (pod and events are still readable).
    expect(live.events.every((e) => e.event.type !== 'finished')).toBe(true);
  });
});
