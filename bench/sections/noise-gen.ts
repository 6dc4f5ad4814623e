// Noise generator for section 5 (run as its own process by noise.ts, not a section): POSTs core/v1
// Events about a pod that does not exist into one namespace at a fixed rate, through one keep-alive
// TLS agent with the admin kubeconfig's credentials. Bounded in count and time; prints a JSON summary.
// Usage: node noise-gen.cjs <kubeconfig> <namespace> <events per minute> <duration ms>

import * as https from 'node:https';
import { randomUUID } from 'node:crypto';
import { loadConnection } from '../../src/cluster/kubeconfig.js';

const [kubeconfig = '', namespace = '', perMinArg = '10000', durationArg = '30000'] = process.argv.slice(2);
const perMin = Number(perMinArg);
const durationMs = Math.min(Number(durationArg), 120_000);

async function main(): Promise<void> {
  const conn = loadConnection({ kubeconfig, namespace });
  const opts: https.RequestOptions = {};
  await conn.kc.applyToHTTPSOptions(opts);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: opts.ca, cert: opts.cert, key: opts.key });
  const url = new URL(`${conn.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/events`);
  const fakeUid = randomUUID();
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  const statuses: Record<string, number> = {};
  const post = (i: number): Promise<void> =>
    new Promise((resolveP) => {
      const now = new Date().toISOString();
      const body = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `noise.${fakeUid.slice(0, 8)}.${i}`, namespace },
        involvedObject: { kind: 'Pod', namespace, name: 'not-the-traced-pod', uid: fakeUid, apiVersion: 'v1' },
        reason: 'BenchNoise',
        message: `unrelated event ${i}`,
        type: 'Normal',
        source: { component: 'pod-birth-bench' },
        firstTimestamp: now.replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: now.replace(/\.\d+Z$/, 'Z'),
        count: 1,
      });
      const req = https.request(
        {
          agent,
          method: 'POST',
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: {
            ...(opts.headers as Record<string, string> | undefined),
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const st = String(res.statusCode ?? 0);
            statuses[st] = (statuses[st] ?? 0) + 1;
            if (res.statusCode === 201) ok++;
            else failed++;
            resolveP();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolveP();
      });
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
  const t0 = performance.now();
  const interval = 60_000 / perMin;
  const pending = new Set<Promise<void>>();
  while (performance.now() - t0 < durationMs) {
    const due = t0 + sent * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= 64) {
      await Promise.race(pending);
      continue;
    }
    const i = sent++;
    inFlight++;
    const p = post(i).finally(() => {
      inFlight--;
      pending.delete(p);
    });
    pending.add(p);
  }
  await Promise.all(pending);
  const ms = performance.now() - t0;
  agent.destroy();
  process.stdout.write(
    `${JSON.stringify({ sent, ok, failed, ms, perMinAchieved: (ok / ms) * 60_000, statuses, fakeUid })}\n`,
  );
}

void main().catch((e: unknown) => {
  process.stderr.write(`noise-gen: ${String(e)}\n`);
  process.exitCode = 1;
});
