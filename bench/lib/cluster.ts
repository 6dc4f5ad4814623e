// Cluster helpers for the bench sections: the precondition (skip with a clear message when the shared
// test cluster is not up), a watchdog that keeps each locked run short, kubectl watch processes
// timestamped line by line, and the high-resolution receive time of our own watches.

import { spawn, type ChildProcess } from 'node:child_process';
import { ResumableWatch } from '../../src/cluster/watch.js';
import { clusterEnv, deleteNamespace, type ClusterEnv } from '../../test/cluster/harness.js';
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
 * JSON.parse and before onObject. Wrapping it gives the receive time on performance.now()'s clock
 * (sub-millisecond, same clock as the kubectl timestamps) without changing what the product sees
 * (it still gets Date.now()).
 */
export function instrumentWatches(): void {
  if (patched) return;
  patched = true;
  const proto = ResumableWatch.prototype as unknown as { now(this: unknown): number };
  const orig = proto.now;
  proto.now = function (this: unknown): number {
    lastReceive = performance.now();
    lines++;
    return orig.call(this);
  };
}

/** performance.now() of the latest list/line received by any ResumableWatch of this process. */
export function lastWatchReceive(): number {
  return lastReceive;
}

/** Lists + watch lines received by all ResumableWatches of this process so far (incl. bookmarks). */
export function watchLinesReceived(): number {
  return lines;
}

// ---------------------------------------------------------------------------------------------
// kubectl --watch -o json, timestamped

export interface KubectlObject {
  readonly at: number;
  readonly kind: string;
  readonly rv: string;
  readonly object: Record<string, unknown>;
}

export interface KubectlWatch {
  readonly objects: KubectlObject[];
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `kubectl get <resource> -n ns --watch -o json`: prints each object as an indented JSON document.
 * The documents are split by brace depth (strings and escapes respected) and each is stamped with
 * performance.now() of the stdout chunk that completed it.
 */
export function kubectlWatch(env: ClusterEnv, namespace: string, resource: string): KubectlWatch {
  const child = spawn(
    env.cikube,
    ['kubectl', '--kubeconfig', env.kubeconfig, '-n', namespace, 'get', resource, '--watch', '-o', 'json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const objects: KubectlObject[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const at = performance.now();
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (depth > 0) buf += c;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{') {
        if (depth === 0) buf = '{';
        depth++;
      } else if (c === '}') {
        depth--;
        if (depth === 0) {
          try {
            const o = JSON.parse(buf) as Record<string, unknown>;
            const md = (o.metadata ?? {}) as { resourceVersion?: string };
            objects.push({ at, kind: String(o.kind ?? ''), rv: md.resourceVersion ?? '', object: o });
          } catch {
            // not JSON (a warning line): ignored
          }
          buf = '';
        }
      }
    }
  });
  child.stderr.resume();
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    objects,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
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
