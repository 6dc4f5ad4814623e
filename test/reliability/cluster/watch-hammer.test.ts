// Reliability: a watch must never hammer a server that misbehaves. Against a stand-in apiserver on
// loopback (plain HTTP, no cluster needed) that ends every watch at once, answers 410 while lists
// fail, or fails everything, a ResumableWatch makes only a handful of requests in 5 s (exponential
// back-off from 250 ms up to 8 s).

import type * as http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ResumableWatch } from '../../../src/cluster/index.js';
import { standInApiserver, type StandIn } from '../../support/stand-in-apiserver.js';
import { reportNumbers, sleep } from './support.js';

type Behaviour = (url: URL, res: http.ServerResponse) => void;

const standIns: StandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});

/** Runs one watch for `ms` against a server with `behaviour`; returns the requests it made. */
async function requestsIn(
  behaviour: Behaviour,
  ms: number,
): Promise<{ lists: number; watches: number; states: string[] }> {
  let lists = 0;
  let watches = 0;
  const standIn = await standInApiserver((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.searchParams.get('watch')) watches++;
    else lists++;
    behaviour(url, res);
  });
  standIns.push(standIn);
  const conn = standIn.conn;
  const states: string[] = [];
  let first = true;
  const w = new ResumableWatch({
    conn,
    path: '/api/v1/namespaces/default/pods',
    resource: 'pods',
    namespace: 'default',
    onObject: () => undefined,
    onState: (s, d) => states.push(`${s}: ${d}`),
  });
  // The first list must succeed for start() to resolve; later lists follow the behaviour.
  await w.start().catch((e: unknown) => {
    first = false;
    console.log('first list failed:', e);
  });
  expect(first, 'the first list answered').toBe(true);
  await sleep(ms);
  await w.stop();
  return { lists, watches, states };
}

const listOk = (res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '7' }, items: [] }));
};

describe('a watch backs off from a misbehaving server', () => {
  it('the server ends every watch at once, empty (200, no events)', async () => {
    const r = await requestsIn((url, res) => {
      if (!url.searchParams.get('watch')) return listOk(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
    }, 5000);
    reportNumbers('watch hammer: empty 200 streams', { watchRequestsIn5s: r.watches });
    expect(r.watches).toBeLessThanOrEqual(8);
    expect(r.states.some((s) => /ended the watch at once/.test(s))).toBe(true);
  });

  it('watches answer 410 Gone while the relist fails (500)', async () => {
    let listed = 0;
    const r = await requestsIn((url, res) => {
      if (!url.searchParams.get('watch')) {
        if (listed++ === 0) return listOk(res);
        res.writeHead(500, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ kind: 'Status', code: 500, message: 'etcd is sad' }));
      }
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }));
    }, 5000);
    reportNumbers('watch hammer: 410 + failing relist', { requestsIn5s: r.watches + r.lists });
    expect(r.watches + r.lists).toBeLessThanOrEqual(16);
  });

  it('every watch fails with 500', async () => {
    const r = await requestsIn((url, res) => {
      if (!url.searchParams.get('watch')) return listOk(res);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 500, message: 'internal error' }));
    }, 5000);
    reportNumbers('watch hammer: 500 on every watch', { watchRequestsIn5s: r.watches });
    expect(r.watches).toBeLessThanOrEqual(8);
  });
});
