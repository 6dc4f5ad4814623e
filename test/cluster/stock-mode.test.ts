// Stock node logs on the real cluster (POD_BIRTH_NODE_LOGS=stock: the kubelet's log settings as
// shipped, no runtime log file under /var/log): the trace says what it could not read and why, from
// the kubelet's own /configz, with the KubeletConfiguration lines for that version, and every time
// keeps its real precision. POD_BIRTH_RECORD=1 records the kubelet's answers into
// test/fixtures/node-access/<node-logs>-<version>/ for the unit tests (also in open mode).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace, TraceNote } from '../../src/core/model.js';
import { busyboxPod, cli } from './cli-run.js';
import {
  clusterEnv,
  combinationOf,
  createNamespace,
  isStockNodeLogs,
  deleteNamespace,
  getRaw,
  mintKubeconfig,
} from './harness.js';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'node-access');

interface ContractTrace {
  pod: Trace['pod'];
  steps: {
    kind: string;
    source: string;
    precision: string;
    start: string | null;
    end: string | null;
    message: string;
  }[];
  diagnosis: { cause: string }[];
  notes: TraceNote[];
}

const stock = isStockNodeLogs();

let ns: string;
let dir: string;
beforeAll(async () => {
  clusterEnv();
  ns = await createNamespace('pb-stock');
  dir = mkdtempSync(join(tmpdir(), 'pb-stock-'));
});
afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

describe('recording the kubelet answers (POD_BIRTH_RECORD=1)', () => {
  it.runIf(process.env.POD_BIRTH_RECORD === '1')('writes configz and the log query answer', async () => {
    const env = clusterEnv();
    const c = combinationOf(env);
    const out = join(FIXTURES, `${c.nodeLogs}-${c.kubernetes}`);
    mkdirSync(out, { recursive: true });
    const node = `/api/v1/nodes/${env.nodeName}/proxy`;
    writeFileSync(
      join(out, 'configz.json'),
      JSON.stringify(JSON.parse(await getRaw(`${node}/configz`)), null, 1) + '\n',
    );
    const q = await getRaw(`${node}/logs/?query=containerd&tailLines=3`);
    writeFileSync(join(out, c.nodeLogs === 'stock' ? 'logs-query.html' : 'logs-query.txt'), q);
  });
});

describe.runIf(stock)('stock node logs: the trace says why, and labels times honestly', () => {
  it('names the configuration read from /configz, the listing, the snippet for this version; only whole-second CRI times', async () => {
    const env = clusterEnv();
    const file = join(dir, 'stock-pod.json');
    writeFileSync(file, busyboxPod(ns, 'stock-why'));
    const r = await cli(['trace', '--apply', '--yes', '-f', file, '--format', 'json', '--timeout', '90s']);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as ContractTrace;
    const note = t.notes.find((n) => n.kind === 'degraded' && n.source === 'runtime-log');
    const version = combinationOf(env).kubernetes;
    expect(note?.message).toMatch(
      new RegExp(
        `^Node Log Query is not usable on node ${env.nodeName} \\(kubelet v${version.replace('.', '\\.')}\\.\\d+\\)`,
      ),
    );
    expect(note?.message).toContain('enableSystemLogQuery is false');
    expect(note?.message).toContain("(read from the kubelet's /configz)");
    expect(note?.message).toContain('HTML listing of /var/log (200 text/html)');
    expect(note?.message).toContain('whole seconds (precision s)');
    if (version === '1.34') {
      expect(note?.message).toContain('NodeLogQuery feature gate is off (not set; its default in 1.34');
      expect(note?.remedy).toContain('`featureGates: {NodeLogQuery: true}`');
    } else {
      expect(note?.remedy).not.toContain('featureGates');
      expect(note?.remedy).toContain('GA from 1.36');
    }
    expect(note?.remedy).toContain('`enableSystemLogQuery: true`');
    // The CLI's live text says the same (stderr), word for word.
    expect(r.stderr).toContain(`degraded: ${note?.message ?? '?'}`);
    // No runtime-log step, and CRI steps (from events) are whole seconds.
    expect(t.steps.filter((s) => s.source === 'runtime-log')).toEqual([]);
    // CRI steps: whole seconds from events and the pod status, or the watch's receive time (ms) — never finer.
    for (const s of t.steps.filter((x) => /sandbox|container-(created|started)|image/.test(x.kind)))
      expect(`${s.source}:${s.precision}`, s.kind).toMatch(/^(event|pod):s$|^watch:ms$/);
    // Every time has as many digits as its precision, no more (a whole second is not shown as .000000000).
    const digits: Record<string, number> = { s: 0, ms: 3, us: 6, ns: 9 };
    for (const s of t.steps)
      for (const at of [s.start, s.end])
        if (at)
          expect(/\.(\d+)Z$/.exec(at)?.[1]?.length ?? 0, `${s.kind} ${at} (${s.precision})`).toBeLessThanOrEqual(
            digits[s.precision] ?? 9,
          );
  });

  it('a user without nodes/proxy: the note names the permission', async () => {
    const minted = await mintKubeconfig('pb-no-proxy', ns, [
      { resources: ['pods'], verbs: ['get', 'list', 'watch', 'create'] },
      { resources: ['events'], verbs: ['list', 'watch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['list', 'watch'] },
    ]);
    try {
      const file = join(dir, 'stock-no-proxy.json');
      writeFileSync(file, busyboxPod(ns, 'stock-no-proxy'));
      const r = await cli([
        'trace',
        '--apply',
        '--yes',
        '-f',
        file,
        '--format',
        'json',
        '--timeout',
        '90s',
        '--kubeconfig',
        minted.path,
      ]);
      const t = JSON.parse(r.stdout) as ContractTrace;
      const note = t.notes.find((n) => n.kind === 'degraded' && n.source === 'runtime-log');
      expect(note?.message).toContain('not readable (no get on nodes/proxy)');
      expect(note?.remedy).toContain('resources ["nodes/proxy"], verbs ["get"]');
    } finally {
      await minted.cleanup();
    }
  });
});
