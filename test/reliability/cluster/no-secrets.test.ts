// No secret leaks, proven on the real cluster: a pod that takes a Secret as an environment variable
// and as a mounted volume (and even prints it to its own stdout, as careless apps do) is applied and
// traced with a ServiceAccount token kubeconfig, in every way Pod Birth can output a trace: the JSON
// contract, the text report, the Mermaid source, the recorded trace file (evidence), the bundled
// CLI's stdout/stderr, the session's events and every request-log line. Everything is searched for
// the secret value (plain and base64), the bearer token, and the admin kubeconfig's client
// certificate and key. Zero hits allowed. Needs `npm run build` (dist/cli.js).

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadConnection,
  makeTraceFile,
  setRequestLogger,
  resolveTargetOn,
  startRun,
  type SessionEvent,
} from '../../../src/cluster/index.js';
import { main } from '../../../src/cli/main.js';
import { renderMermaid } from '../../../src/core/mermaid/index.js';
import { toContract } from '../../../src/core/report/contract.js';
import { renderText } from '../../../src/core/report/text.js';
import {
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  kubectl,
  mintKubeconfig,
  type MintedKubeconfig,
} from '../../cluster/harness.js';
import { step } from '../../cluster/trace-checks.js';
import { reportNumbers } from './support.js';

const SECRET = `pb-secret-${randomBytes(18).toString('hex')}`;
const POD = 'uses-secret';

let ns: string;
let minted: MintedKubeconfig;
let dir: string;
const outputs = new Map<string, string>();
const requestLog: string[] = [];
/** Files this test writes (manifest, trace files, a kubeconfig): removed afterwards. */
const written: string[] = [];
const file = (name: string): string => {
  const p = join(dir, name);
  written.push(p);
  return p;
};

beforeAll(async () => {
  const env = clusterEnv();
  if (!existsSync(join(process.cwd(), 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  ns = await createNamespace('pb-rel-secret');
  await ensureImagePresent(ns, 'busybox:1.36');
  dir = env.stateDir;
  await kubectl(['-n', ns, 'create', 'secret', 'generic', 'app-secret', `--from-literal=password=${SECRET}`]);
  // Everything a full trace can use, and no right on Secrets: creating a pod that mounts one needs none.
  minted = await mintKubeconfig(
    'pb-secret-tracer',
    ns,
    [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['list', 'watch'] },
    ],
    {
      clusterRules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      ],
    },
  );
  setRequestLogger((line) => requestLog.push(line));
});

afterAll(async () => {
  setRequestLogger(null);
  for (const p of written) rmSync(p, { force: true });
  await minted?.cleanup().catch(() => undefined);
  if (minted) rmSync(minted.path, { force: true });
  if (ns) await deleteNamespace(ns);
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(process.cwd(), 'dist', 'cli.js'), ...args],
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (s) => (stdout += s), err: (s) => (stderr += s), ask: async () => null });
  return { code, stdout, stderr };
}

describe('no secret leaks', () => {
  it('a Secret-using pod traced every way: zero hits for the secret, the token and the client key', async () => {
    const manifest = file(`secret-pod-${ns}.yaml`);
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata:
  name: ${POD}
  namespace: ${ns}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: app
      image: busybox:1.36
      # Prints the secret to its own stdout (container log) the way a careless app would.
      command: ["sh", "-c", "echo password=$PASSWORD; cat /etc/app-secret/password; sleep 3600"]
      env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: app-secret, key: password}
      volumeMounts:
        - {name: creds, mountPath: /etc/app-secret, readOnly: true}
  volumes:
    - name: creds
      secret: {secretName: app-secret}
`,
    );
    const kc = ['--kubeconfig', minted.path];
    // Apply & trace (in process, so the request logger sees every request), then attach every way.
    const applied = await inProcess(['trace', '--apply', '--yes', '-f', manifest, ...kc, '--format', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    outputs.set('in-process trace --apply --format json (stdout+stderr)', applied.stdout + applied.stderr);
    for (const format of ['text', 'mermaid', 'json']) {
      const r = await inProcess(['trace', `pod/${POD}`, '-n', ns, ...kc, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      outputs.set(`in-process trace --format ${format}`, r.stdout + r.stderr);
      const c = await cli(['trace', `pod/${POD}`, '-n', ns, ...kc, '--format', format]);
      expect(c.code, c.stderr).toBe(0);
      outputs.set(`dist/cli.js trace --format ${format}`, c.stdout + c.stderr);
    }
    const recordIn = file(`record-in-${ns}.json`);
    const recordCli = file(`record-cli-${ns}.json`);
    const ri = await inProcess(['record', `pod/${POD}`, '-n', ns, ...kc, '-o', recordIn]);
    expect(ri.code, ri.stderr).toBe(0);
    const rc = await cli(['record', `pod/${POD}`, '-n', ns, ...kc, '-o', recordCli]);
    expect(rc.code, rc.stderr).toBe(0);
    outputs.set('in-process record (stdout+stderr)', ri.stdout + ri.stderr);
    outputs.set('in-process record -o file', readFileSync(recordIn, 'utf8'));
    outputs.set('dist/cli.js record (stdout+stderr)', rc.stdout + rc.stderr);
    outputs.set('dist/cli.js record -o file', readFileSync(recordCli, 'utf8'));
    const replay = await cli(['explain', '--trace', recordCli, '--format', 'mermaid']);
    outputs.set('dist/cli.js explain --trace (replay)', replay.stdout + replay.stderr);

    // The library path the extension uses: runner → session → contract / Mermaid / trace file.
    const events: SessionEvent[] = [];
    let session: import('../../../src/cluster/index.js').TraceSession | undefined;
    const conn = loadConnection({ kubeconfig: minted.path, namespace: ns });
    const r = await startRun({
      target: resolveTargetOn(conn, { kind: 'pod', name: POD, namespace: ns }),
      timeoutMs: 60_000,
      session: {},
      onPod: (_n, s) => (session = s),
      onEvent: (_n, e) => events.push(e),
    });
    expect(r.status).toBe('running');
    if (r.status === 'running') expect(await r.run.finished).toBe('ready');
    const trace = session!.trace();
    // The trace is complete (runtime steps from the node's log), so the check covers what it read.
    expect(step(trace, 'container-started', 'app')).toMatchObject({ source: 'runtime-log' });
    expect(trace.steps.some((s) => s.source === 'kubelet-log' || s.kind === 'kubelet-accepted')).toBe(true);
    outputs.set('toContract(trace)', JSON.stringify(toContract(trace)));
    outputs.set('renderMermaid(trace).source', renderMermaid(trace).source);
    outputs.set('renderText(trace)', renderText(trace));
    outputs.set(
      'makeTraceFile (recorded evidence)',
      JSON.stringify(
        makeTraceFile({
          recordedAt: new Date().toISOString(),
          context: conn.context,
          namespace: ns,
          name: POD,
          evidence: session!.recorded,
        }),
      ),
    );
    outputs.set('session events', JSON.stringify(events));

    // Credentials: an invalid token and the admin's client certificate go through the error path
    // and a normal trace as well.
    const badToken = `pbleak${randomBytes(24).toString('hex')}`;
    const badKc = file(`bad-token-${ns}.kubeconfig`);
    writeFileSync(badKc, readFileSync(minted.path, 'utf8').replace(minted.token, badToken), { mode: 0o600 });
    const bad = await cli(['trace', `pod/${POD}`, '-n', ns, '--kubeconfig', badKc, '--format', 'json']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/did not accept your credentials \(401\)/);
    outputs.set('dist/cli.js with a rejected token (401)', bad.stdout + bad.stderr);
    const badIn = await inProcess(['trace', `pod/${POD}`, '-n', ns, '--kubeconfig', badKc]);
    outputs.set('in-process with a rejected token (401)', badIn.stdout + badIn.stderr);
    const admin = clusterEnv().kubeconfig;
    const asAdmin = await cli(['trace', `pod/${POD}`, '-n', ns, '--kubeconfig', admin, '--format', 'json']);
    expect(asAdmin.code, asAdmin.stderr).toBe(0);
    outputs.set('dist/cli.js as admin (client certificate)', asAdmin.stdout + asAdmin.stderr);
    const recordAdmin = file(`record-admin-${ns}.json`);
    const adminIn = await inProcess(['record', `pod/${POD}`, '-n', ns, '--kubeconfig', admin, '-o', recordAdmin]);
    outputs.set('in-process record as admin (file)', readFileSync(recordAdmin, 'utf8') + adminIn.stderr);
    outputs.set('request log lines', requestLog.join('\n'));

    // The needles.
    const adminText = readFileSync(admin, 'utf8');
    const field = (k: string): string => adminText.match(new RegExp(`${k}:\\s*(\\S+)`))?.[1] ?? '';
    const keyPem = Buffer.from(field('client-key-data'), 'base64').toString('utf8');
    const keyBody = keyPem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    const certData = field('client-certificate-data');
    const needles: Record<string, string> = {
      'secret value': SECRET,
      'secret value, base64': Buffer.from(SECRET).toString('base64'),
      'secret value, half': SECRET.slice(0, 24),
      'ServiceAccount token': minted.token,
      'ServiceAccount token, first 32 chars': minted.token.slice(0, 32),
      'ServiceAccount token, signature': minted.token.split('.')[2] ?? minted.token,
      'rejected token': badToken,
      'admin client-key-data': field('client-key-data').slice(0, 48),
      'admin client key (PEM body)': keyBody.slice(0, 48),
      'admin client-certificate-data': certData.slice(0, 48),
    };
    for (const [name, value] of Object.entries(needles))
      expect(value.length, `${name} is a real needle`).toBeGreaterThanOrEqual(24);

    const hits: string[] = [];
    for (const [where, text] of outputs) {
      for (const [what, needle] of Object.entries(needles)) if (text.includes(needle)) hits.push(`${what} in ${where}`);
    }
    // (The path /apis/authorization.k8s.io/… is a request, not a header.)
    const authLines = requestLog.filter((l) => /authorization:|bearer|token=/i.test(l));
    // The pod really had the secret: the container printed it to its own log (which Pod Birth never reads).
    const containerLog = await kubectl(['-n', ns, 'logs', POD]);
    reportNumbers('no secret leaks', {
      outputsSearched: outputs.size,
      bytesSearched: [...outputs.values()].reduce((n, t) => n + t.length, 0),
      needles: Object.keys(needles).length,
      requestLogLines: requestLog.length,
      recordedEvidence: session!.recorded.length,
      hits,
      authorizationInRequestLog: authLines.length,
    });
    expect(containerLog).toContain(SECRET);
    // Positive control: what a pod object does carry, the Secret's NAME, is in the recorded evidence.
    expect(outputs.get('dist/cli.js record -o file')).toContain('"secretName": "app-secret"');
    expect(hits).toEqual([]);
    expect(authLines).toEqual([]);
    expect(requestLog.length).toBeGreaterThan(10);
  });
});
