// Section 6 — Core throughput. (a) A ~100 MB containerd log in journald short-precise form (what the
// kubelet's Node Log Query returns) is generated from the real recorded lines in
// test/fixtures/recorded/*/containerd.log — each copy of a scenario gets fresh sandbox/container ids,
// pod uids and names, and later times — into bench/results/ (deleted afterwards). The streaming parser
// (createLogParser().push per line) reads it in a child process: lines/s, MB/s, peak RSS.
// (b) The fold: TraceState.add + buildTrace over large evidence sets (many events of one pod; a busy
// node's log records), evidence/s and build time.

import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createLogParser, parseLogText } from '../../src/core/logs/index.js';
import type { LogRecord } from '../../src/core/model.js';
import { TraceState, buildTrace, type Evidence } from '../../src/core/trace/index.js';
import { allEvidence, basePod } from '../../test/unit/trace/realistic.js';
import { RESULTS, ROOT, Section, row, runSection, summarize, withRatio } from '../lib/report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const TARGET_BYTES = (QUICK ? 25 : 100) * 1e6;
const LOG = join(RESULTS, 'containerd-bench.log');
const MB = 1024 * 1024;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// ---------------------------------------------------------------------------------------------
// (a) the log

interface Template {
  readonly lines: { readonly offsetNs: bigint; readonly text: string }[];
}

function nsOf(iso: string): bigint {
  const m = iso.match(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/);
  if (!m) return 0n;
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt(((m[2] ?? '') + '000000000').slice(0, 9));
}

function isoOf(ns: bigint): { iso: string; journal: string } {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const d = new Date(ms);
  const hms = d.toISOString().slice(11, 19);
  return {
    iso: `${d.toISOString().slice(0, 19)}.${frac}Z`,
    journal: `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${hms}.${frac.slice(0, 6)}`,
  };
}

function templates(): Template[] {
  const dir = join(ROOT, 'test', 'fixtures', 'recorded');
  const out: Template[] = [];
  for (const scenario of readdirSync(dir)) {
    const file = join(dir, scenario, 'containerd.log');
    if (!existsSync(file)) continue;
    const raw = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('time="'));
    const times = raw.map((l) => nsOf(l.match(/time="([^"]+)"/)?.[1] ?? ''));
    const t0 = times.reduce((a, b) => (b < a ? b : a), times[0] ?? 0n);
    out.push({ lines: raw.map((text, i) => ({ offsetNs: (times[i] ?? t0) - t0, text })) });
  }
  return out;
}

/** Writes copies of the recorded scenarios with fresh ids and later times until `bytes` are written. */
function generateLog(path: string, bytes: number): { lines: number; bytes: number; copies: number; ms: number } {
  const t0 = performance.now();
  const tpls = templates();
  const fd = openSync(path, 'w');
  let written = 0;
  let lines = 0;
  let copies = 0;
  let base = nsOf('2026-11-23T08:00:00Z');
  let buf: string[] = [];
  let bufLen = 0;
  while (written < bytes) {
    const tpl = tpls[copies % tpls.length] as Template;
    copies++;
    const ids = new Map<string, string>();
    const fresh = (old: string, make: () => string): string => {
      let v = ids.get(old);
      if (!v) ids.set(old, (v = make()));
      return v;
    };
    const suffix = copies.toString(36);
    for (const l of tpl.lines) {
      const t = isoOf(base + l.offsetNs);
      let text = l.text
        .replace(/[0-9a-f]{64}/g, (m) => fresh(m, () => randomBytes(32).toString('hex')))
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (m) => fresh(m, () => randomUUID()))
        .replace(/Name:([a-z0-9-]+),Uid:/g, (_m, n: string) => `Name:${n}-${suffix},Uid:`)
        .replace(/time="[^"]+"/, `time="${t.iso}"`);
      text = text.replace(/^[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}\.\d+/, t.journal);
      buf.push(text);
      bufLen += text.length + 1;
      lines++;
    }
    base += (tpl.lines[tpl.lines.length - 1]?.offsetNs ?? 0n) + 3_000_000n; // next pod 3 ms after
    if (bufLen > 4 * MB) {
      written += writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
      bufLen = 0;
    }
  }
  if (buf.length) written += writeSync(fd, `${buf.join('\n')}\n`);
  closeSync(fd);
  return { lines, bytes: written, copies, ms: performance.now() - t0 };
}

interface ParseResult {
  lines: number;
  records: number;
  skipped: number;
  ms: number;
  bytes: number;
  maxRssMB: number;
  rssBeforeMB: number;
  peakHeapMB: number;
}

/** Child mode: stream the file through the parser, report JSON on stdout. */
async function parseChild(path: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  const parser = createLogParser({ referenceYear: 2026 });
  let lines = 0;
  let records = 0;
  let rest = '';
  const t0 = performance.now();
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (nl > start) {
        lines++;
        records += parser.push(text.slice(start, nl)).length;
      }
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) {
    lines++;
    records += parser.push(rest).length;
  }
  records += parser.end().length;
  const ms = performance.now() - t0;
  clearInterval(sampler);
  const r: ParseResult = {
    lines,
    records,
    skipped: parser.skipped,
    ms,
    bytes: statSync(path).size,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMB: rssBefore / MB,
    peakHeapMB: peakHeap / MB,
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function logThroughput(s: Section): void {
  const gen = generateLog(LOG, TARGET_BYTES);
  s.facts.generated = { ...gen, file: LOG };
  s.log(
    `generated ${(gen.bytes / 1e6).toFixed(1)} MB, ${gen.lines.toLocaleString('en-US')} lines (${gen.copies} pod copies) in ${(gen.ms / 1000).toFixed(1)} s`,
  );
  try {
    const runs = QUICK ? 2 : 3;
    const results: ParseResult[] = [];
    for (let i = 0; i < runs; i++) {
      const out = spawnSync(process.execPath, [join(RESULTS, '.build', 'throughput.cjs'), 'parse-child', LOG], {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      });
      if (out.status !== 0) throw new Error(`parser child failed: ${out.stderr}`);
      results.push(JSON.parse(out.stdout.trim()) as ParseResult);
    }
    const r0 = results[0] as ParseResult;
    s.add(
      row(
        'parse-lines',
        `streaming parser (createLogParser().push), ${(r0.bytes / 1e6).toFixed(0)} MB containerd log`,
        'lines/s',
        results.map((r) => r.lines / (r.ms / 1000)),
        {
          detail: `${r0.lines.toLocaleString('en-US')} lines → ${r0.records.toLocaleString('en-US')} records (${r0.skipped.toLocaleString('en-US')} lines without a CRI record, e.g. shim plugin loading), ${runs} runs in fresh processes`,
        },
      ),
    );
    s.add(
      row(
        'parse-mbs',
        'streaming parser throughput',
        'MB/s',
        results.map((r) => r.bytes / 1e6 / (r.ms / 1000)),
      ),
    );
    s.add(
      row(
        'parse-time',
        'streaming parser, whole file',
        's',
        results.map((r) => r.ms / 1000),
      ),
    );
    s.add(
      row(
        'parse-rss',
        'streaming parser process, peak RSS',
        'MB',
        results.map((r) => r.maxRssMB),
        {
          detail: `RSS before parsing ${r0.rssBeforeMB.toFixed(0)} MB; peak heap ${r0.peakHeapMB.toFixed(0)} MB (sampled)`,
        },
      ),
    );

    // The whole-text API the live session uses on each node-log read (parseLogText), on a 10 MB slice.
    const slice = readFileSync(LOG, 'utf8').slice(0, 10 * 1e6);
    const texts: number[] = [];
    let recs: LogRecord[] = [];
    for (let i = 0; i < (QUICK ? 2 : 5); i++) {
      const t0 = performance.now();
      recs = parseLogText(slice, { referenceYear: 2026 }).records;
      texts.push(performance.now() - t0);
    }
    const sliceLines = slice.split('\n').length;
    s.add(
      row(
        'parse-text-10mb',
        'parseLogText on 10 MB (the whole-text API of node-log reads)',
        'lines/s',
        texts.map((ms) => sliceLines / (ms / 1000)),
        {
          detail: `${sliceLines.toLocaleString('en-US')} lines → ${recs.length.toLocaleString('en-US')} records, median ${summarize(texts).median.toFixed(0)} ms`,
        },
      ),
    );
    fold(s, recs);
  } finally {
    rmSync(LOG, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// (b) the fold

function manyEvents(n: number): Evidence[] {
  const uid = basePod.metadata?.uid ?? '';
  const reasons: [string, string][] = [
    ['Pulling', 'Pulling image "busybox:1.36"'],
    ['Pulled', 'Container image "busybox:1.36" already present on machine'],
    ['Created', 'Created container: hello'],
    ['Started', 'Started container hello'],
    ['BackOff', 'Back-off restarting failed container hello in pod hello-birth_pb-try'],
    ['Unhealthy', 'Readiness probe failed: connection refused'],
  ];
  const t0 = Date.parse('2026-11-23T09:38:09Z');
  const out: Evidence[] = [];
  for (let i = 0; i < n; i++) {
    const [reason, message] = reasons[i % reasons.length] as [string, string];
    const t = new Date(t0 + i * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    out.push({
      type: 'event',
      object: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `hello-birth.${i}`, namespace: 'pb-try', uid: `ev-${i}`, resourceVersion: String(1000 + i) },
        involvedObject: {
          kind: 'Pod',
          namespace: 'pb-try',
          name: 'hello-birth',
          uid,
          apiVersion: 'v1',
          fieldPath: 'spec.containers{hello}',
        },
        reason,
        message,
        source: { component: 'kubelet', host: 'pod-birth-node' },
        firstTimestamp: t,
        lastTimestamp: t,
        count: 1,
        type: reason === 'BackOff' || reason === 'Unhealthy' ? 'Warning' : 'Normal',
      },
      receivedAt: null,
    });
  }
  return out;
}

function timeFold(evidence: readonly Evidence[], reps: number): { add: number[]; build: number[]; steps: number } {
  const add: number[] = [];
  const build: number[] = [];
  let steps = 0;
  for (let i = 0; i < reps; i++) {
    const st = new TraceState();
    const t0 = performance.now();
    for (const e of evidence) st.add(e);
    const t1 = performance.now();
    const tr = buildTrace(st);
    const t2 = performance.now();
    add.push(evidence.length / ((t1 - t0) / 1000));
    build.push(t2 - t1);
    steps = tr.steps.length;
  }
  return { add, build, steps };
}

function fold(s: Section, records: readonly LogRecord[]): void {
  const reps = QUICK ? 2 : 5;
  const base = allEvidence();
  const small = timeFold(base, 20);
  const baseRow = s.add(
    row('fold-build-base', `buildTrace, realistic single pod (${base.length} pieces of evidence)`, 'ms', small.build, {
      detail: `${small.steps} steps`,
    }),
  );
  for (const n of QUICK ? [1000, 10_000] : [1000, 10_000, 50_000]) {
    const ev = [...base, ...manyEvents(n)];
    const r = timeFold(ev, reps);
    s.add(
      row(
        `fold-add-events-${n}`,
        `TraceState.add, ${n.toLocaleString('en-US')} events of one pod`,
        'evidence/s',
        r.add,
      ),
    );
    s.add(
      withRatio(
        row(`fold-build-events-${n}`, `buildTrace after ${n.toLocaleString('en-US')} events`, 'ms', r.build, {
          detail: `${r.steps} steps`,
        }),
        baseRow,
      ),
    );
  }
  for (const n of QUICK ? [10_000] : [10_000, 40_000]) {
    const logs: Evidence[] = records.slice(0, n).map((record) => ({ type: 'log', record }));
    if (logs.length < n) continue;
    const ev = [...base, ...logs];
    const r = timeFold(ev, reps);
    s.add(
      row(
        `fold-add-logs-${n}`,
        `TraceState.add, ${n.toLocaleString('en-US')} runtime log records of a busy node (other pods)`,
        'evidence/s',
        r.add,
      ),
    );
    s.add(
      withRatio(
        row(
          `fold-build-logs-${n}`,
          `buildTrace with ${n.toLocaleString('en-US')} other pods' log records in the state`,
          'ms',
          r.build,
          { detail: `${r.steps} steps (the traced pod's)` },
        ),
        baseRow,
      ),
    );
  }
}

if (process.argv[2] === 'parse-child') {
  void parseChild(process.argv[3] ?? '');
} else {
  void runSection(new Section('throughput', '6. Core throughput (100 MB containerd log, evidence fold)'), async (s) => {
    logThroughput(s);
  });
}
