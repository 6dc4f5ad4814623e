// Cluster helpers for the bench sections: the precondition (skip with a clear message when the shared
// test cluster is not up), a watchdog that keeps each locked run short, kubectl watches stamped by a
// process of their own (kubectl-stamp.mjs), and the high-resolution receive time of our own watches.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ResumableWatch } from '../../src/cluster/watch.js';
import { clusterEnv, deleteNamespace, type ClusterEnv } from '../../test/cluster/harness.js';
import { epochNow, measureOffset, type ClockOffset } from './clock.js';
import { Skip } from './report.js';

/** The running cluster, or Skip (the section is reported as skipped, with what to do). */
export function requireCluster(): ClusterEnv {
  try {
    return clusterEnv();
  } catch (e) {
    throw new Skip(`${e instanceof Error ? e.message : String(e)} — the cluster sections need \`npm run cluster:up\``);
  }
}

/**
 * Ends the process after `ms` (the cluster is shared: a locked run stays short), running `cleanup`
 * first (delete what the section created). Returns a function that disarms it.
 */
export function watchdog(ms: number, what: string, cleanup: () => Promise<void>): () => void {
  const t = setTimeout(() => {
    console.error(`[bench] ${what}: watchdog after ${ms / 1000} s, cleaning up and stopping`);
    void cleanup()
      .catch(() => undefined)
      .finally(() => process.exit(3));
  }, ms);
  return () => clearTimeout(t);
}

/** Deletes namespaces on SIGINT/SIGTERM too. */
export function cleanupOnSignal(cleanup: () => Promise<void>): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void cleanup()
        .catch(() => undefined)
        .finally(() => process.exit(130));
    });
  }
}

export async function dropNamespace(ns: string | null): Promise<void> {
  if (ns)
    await deleteNamespace(ns, false).catch((e: unknown) =>
      console.error(`[bench] could not delete namespace ${ns}: ${String(e)}`),
    );
}

// ---------------------------------------------------------------------------------------------
// Receive times of our own watches

let lastReceive = 0;
let lines = 0;
let patched = false;

/**
 * ResumableWatch calls its `now()` once per received list and once per received watch line, before
 * JSON.parse and before onObject. Wrapping it gives the receive time on the bench's epoch clock
 * (clock.ts: sub-millisecond, the clock the kubectl stamps and the page's paint times are brought
 * onto) without changing what the product sees (it still gets Date.now()).
 */
export function instrumentWatches(): void {
  if (patched) return;
  patched = true;
  const proto = ResumableWatch.prototype as unknown as { now(this: unknown): number };
  const orig = proto.now;
  proto.now = function (this: unknown): number {
    lastReceive = epochNow();
    lines++;
    return orig.call(this);
  };
}

/** epochNow() of the latest list/line received by any ResumableWatch of this process. */
export function lastWatchReceive(): number {
  return lastReceive;
}

/** Lists + watch lines received by all ResumableWatches of this process so far (incl. bookmarks). */
export function watchLinesReceived(): number {
  return lines;
}

// ---------------------------------------------------------------------------------------------
// kubectl --watch -o json, stamped in a process of its own

export interface KubectlObject {
  /** kubectl's receive time on the bench's epoch clock (the stamper's reading + the measured offset). */
  readonly at: number;
  readonly kind: string;
  readonly rv: string;
}

export interface KubectlWatch {
  readonly objects: KubectlObject[];
  readonly process: ChildProcess;
  /** The stamper's clock against ours (measured once it runs). */
  offset(): Promise<ClockOffset>;
  stop(): Promise<void>;
}

const STAMPER = join(__dirname, 'kubectl-stamp.mjs');

/**
 * `kubectl get <resource> -n ns --watch -o json` under kubectl-stamp.mjs: a separate Node process
 * splits kubectl's output into objects and stamps each with its own clock, so a busy bench process
 * (our watches, fold, diagram host) does not make kubectl look late. The stamps are brought onto the
 * bench's clock with an offset measured by ping round trips.
 */
export function kubectlWatch(env: ClusterEnv, namespace: string, resource: string): KubectlWatch {
  const child = spawn(
    process.execPath,
    [
      STAMPER,
      env.cikube,
      'kubectl',
      '--kubeconfig',
      env.kubeconfig,
      '-n',
      namespace,
      'get',
      resource,
      '--watch',
      '-o',
      'json',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const raw: { at: number; kind: string; rv: string }[] = [];
  const pongs: ((at: number) => void)[] = [];
  let offset: Promise<ClockOffset> | null = null;
  let known: ClockOffset | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const o = JSON.parse(line) as { at?: number; pong?: number; kind?: string; rv?: string };
      if (typeof o.pong === 'number') pongs.shift()?.(o.pong);
      else if (typeof o.at === 'number') raw.push({ at: o.at, kind: o.kind ?? '', rv: o.rv ?? '' });
    } catch {
      // not a stamper line
    }
  });
  child.stderr.resume();
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const ping = (): Promise<number> =>
    new Promise((resolveP) => {
      pongs.push(resolveP);
      child.stdin.write('ping\n');
    });
  const objects: KubectlObject[] = [];
  return {
    // Stamps are converted when read: the offset is measured once, after the watch has started.
    get objects() {
      if (known && objects.length < raw.length) {
        for (const o of raw.slice(objects.length)) objects.push({ ...o, at: o.at + (known as ClockOffset).offsetMs });
      }
      return objects;
    },
    process: child,
    offset() {
      offset ??= measureOffset(ping).then((o) => (known = o));
      return offset;
    },
    async stop() {
      await this.offset().catch(() => undefined);
      if (child.exitCode === null) child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Counts the objects an unfiltered `kubectl get <resource> -n ns --watch -o json` prints during
 * `seconds`, in a shell pipeline (kubectl | grep -c), so the counting costs this process nothing.
 */
export function kubectlWatchCount(
  env: ClusterEnv,
  namespace: string,
  resource: string,
  kind: string,
  seconds: number,
): Promise<number> {
  return new Promise((resolveP) => {
    const q = (x: string): string => `'${x.replace(/'/g, `'\\''`)}'`;
    const cmd = `timeout ${Math.ceil(seconds)} ${q(env.cikube)} kubectl --kubeconfig ${q(env.kubeconfig)} -n ${q(namespace)} get ${q(resource)} --watch -o json | grep -c '^    "kind": "${kind}"'`;
    const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('close', () => resolveP(Number(out.trim()) || 0));
  });
}
