// One TraceSession against a routed stand-in apiserver (fake-apiserver.ts), with a recorded pod and
// its events: how the parts compose — the watches (at most three, the event watches' first list
// retried), the end (not before the initial loads landed), deletion, and a 401 that stops the trace.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TraceSession, type Outcome, type SessionEvent } from '../../../src/cluster/session.js';
import { TraceWatches, type WatchSink } from '../../../src/cluster/session-watches.js';
import type { TraceNote } from '../../../src/core/model.js';
import { RECORDED_ROOT } from '../../support/recorded.js';
import { fakeApiserver, status, type FakeAnswer, type FakeApiserver, type FakeRequest } from './fake-apiserver.js';

const DIR = join(RECORDED_ROOT, 'image-present');
const read = (f: string): { items: unknown[] } & Record<string, unknown> =>
  JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { items: unknown[] } & Record<string, unknown>;
const POD = read('pod.json') as unknown as { metadata: { name: string; namespace: string; uid: string } };
const EVENTS = read('events.json').items;
const NS = POD.metadata.namespace;
const NAME = POD.metadata.name;

const servers: FakeApiserver[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Routes {
  /** Answers for the core/v1 event list, one per attempt (the last repeats). */
  coreEvents?: FakeAnswer[];
  v1Events?: FakeAnswer;
  podWatch?: FakeAnswer;
  /** Delay of the core/v1 event list, ms. */
  eventsDelayMs?: number;
}

async function apiserver(r: Routes = {}): Promise<FakeApiserver> {
  let coreAttempt = 0;
  const list = (items: unknown[]): FakeAnswer => ({
    status: 200,
    body: { kind: 'List', metadata: { resourceVersion: '10' }, items },
  });
  const server = await fakeApiserver(async (q: FakeRequest) => {
    const watch = q.query.get('watch') === '1';
    if (q.path === `/api/v1/namespaces/${NS}/pods`) return watch ? (r.podWatch ?? 'watch') : list([POD]);
    if (q.path === `/api/v1/namespaces/${NS}/events`) {
      if (watch) return 'watch';
      await new Promise((res) => setTimeout(res, r.eventsDelayMs ?? 0));
      const answers = r.coreEvents ?? [list(EVENTS)];
      return answers[Math.min(coreAttempt++, answers.length - 1)];
    }
    if (q.path === `/apis/events.k8s.io/v1/namespaces/${NS}/events`)
      return watch ? 'watch' : (r.v1Events ?? status(403, 'events.k8s.io is forbidden'));
    if (q.path.startsWith('/api/v1/nodes/'))
      return {
        status: 200,
        body: {
          kind: 'Node',
          status: { nodeInfo: { containerRuntimeVersion: 'containerd://2.1.4', operatingSystem: 'linux' } },
        },
      };
    return undefined;
  });
  servers.push(server);
  return server;
}

function session(server: FakeApiserver, readySettleMs = 50): { s: TraceSession; events: SessionEvent[] } {
  const events: SessionEvent[] = [];
  const s = new TraceSession({
    conn: server.conn,
    namespace: NS,
    name: NAME,
    nodeLogs: false,
    readySettleMs,
    timeoutMs: 10_000,
    onEvent: (e) => events.push(e),
  });
  return { s, events };
}

const ofType = <T extends SessionEvent['type']>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

describe('TraceSession', () => {
  it('attached to a Ready pod: ends ready only after its events landed, with at most three watches', async () => {
    const server = await apiserver({ eventsDelayMs: 300 });
    const { s, events } = session(server);
    await s.start();
    const outcome: Outcome = await s.finished;
    expect(outcome).toBe('ready');
    expect(events[0]).toMatchObject({ type: 'started', namespace: NS, name: NAME });
    expect(events.at(-1)).toMatchObject({ type: 'finished', outcome: 'ready' });
    // The events were folded in before the end, although Ready was seen at once.
    expect(s.recorded.filter((e) => e.type === 'event')).toHaveLength(EVENTS.length);
    expect(s.trace().steps.some((x) => x.source === 'event')).toBe(true);
    expect(ofType(events, 'state').map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^events\.k8s\.io not readable .*using core\/v1 events only$/),
    );
    // Created long ago: the birth events may have expired, and the trace says so.
    expect(ofType(events, 'degraded').map((e) => e.note.kind)).toContain('events-expired');
    expect(s.watchCount).toBe(2);
    expect(server.requests.filter((q) => q.includes('watch=1'))).toHaveLength(2);
    expect(server.requests.some((q) => !q.includes(`/namespaces/${NS}/`) && !q.startsWith('GET /api/v1/nodes/'))).toBe(
      false,
    );
  });

  it('events refused on both APIs: a degraded note, and the trace still ends from the pod status', async () => {
    const server = await apiserver({ coreEvents: [status(403, 'events are forbidden')] });
    const { s, events } = session(server);
    await s.start();
    expect(await s.finished).toBe('ready');
    const notes = ofType(events, 'degraded').map((e) => e.note);
    expect(notes.find((n) => n.source === 'event' && n.kind === 'degraded')?.message).toMatch(
      /^Events are not readable .*only the pod status/,
    );
    expect(s.watchCount).toBe(1);
  });

  it('the pod deleted mid-trace ends it as deleted', async () => {
    const server = await apiserver();
    const { s } = session(server, 60_000);
    await s.start();
    await new Promise((r) => setTimeout(r, 100));
    server.push(`/namespaces/${NS}/pods`, 'DELETED', {
      ...POD,
      metadata: { ...POD.metadata, resourceVersion: '999' },
    });
    expect(await s.finished).toBe('deleted');
  });

  it('credentials refused on the pod watch: the error, and the trace stops', async () => {
    const server = await apiserver({ podWatch: status(401, 'Unauthorized') });
    const { s, events } = session(server);
    await s.start();
    expect(await s.finished).toBe('stopped');
    expect(ofType(events, 'error')[0]?.error.kind).toBe('unauthorized');
  });
});

describe('TraceWatches', () => {
  function sink(): WatchSink & { states: string[]; notes: TraceNote[]; events: number } {
    const x = {
      states: [] as string[],
      notes: [] as TraceNote[],
      events: 0,
      pod: () => undefined,
      event: () => void x.events++,
      state: (m: string) => void x.states.push(m),
      degrade: (n: TraceNote) => void x.notes.push(n),
      fatal: () => undefined,
      ended: () => false,
    };
    return x;
  }

  it("retries an event watch's first list on transient failures, then watches", async () => {
    const list = { status: 200, body: { kind: 'List', metadata: { resourceVersion: '10' }, items: EVENTS } };
    const server = await apiserver({ coreEvents: [status(503, 'restarting'), status(503, 'restarting'), list] });
    const x = sink();
    const w = new TraceWatches(server.conn, NS, NAME, x, 5);
    await w.startEvents(POD.metadata.uid);
    expect(x.states.filter((m) => /retrying the first list in (5|10) ms/.test(m))).toHaveLength(2);
    expect(x.events).toBe(EVENTS.length);
    expect(w.all).toHaveLength(1); // core/v1 only: events.k8s.io is refused
    await w.startEvents(POD.metadata.uid); // once per trace
    const lists = server.requests.filter(
      (q) => q.startsWith(`GET /api/v1/namespaces/${NS}/events?`) && !/watch=1/.test(q),
    );
    expect(lists).toHaveLength(3);
    await w.stop();
  });

  it('gives up after four retries, or at once on a refusal', async () => {
    const server = await apiserver({ coreEvents: [status(503, 'down')], v1Events: status(404, 'no such API') });
    const x = sink();
    const w = new TraceWatches(server.conn, NS, NAME, x, 1);
    await w.startEvents(POD.metadata.uid);
    expect(x.states.filter((m) => /retrying/.test(m))).toHaveLength(4);
    expect(x.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^Events are not readable/)]);
    expect(w.all).toHaveLength(0);
  });
});
