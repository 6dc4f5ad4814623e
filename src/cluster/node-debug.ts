// The node debug source: when the kubelet's log query is not usable, and only when the user allowed
// it, one short-lived pod per node per run reads the runtime's own record on the node (its journal,
// else its log file) and streams it back as its container log (GET pods/NAME/log?follow=true). The
// pod itself is described in src/core/node-debug.ts; the review of what it can see is
// docs/node-debug.md.
//
// Order: ask (the caller's confirm, naming node, namespace, image and privileges) → check RBAC with
// SelfSubjectAccessReviews (create/get/delete pods, get pods/log) → remove leftovers this user's
// dead processes left → create → wait until it runs → follow its log. Every refusal (RBAC, Pod
// Security admission, image pull) becomes a degraded note that says what to do. The pod is deleted
// when the run ends or is stopped; a watchdog process deletes it if this process dies first
// (SIGKILL), and activeDeadlineSeconds ends it if both are gone.

import { spawn, type ChildProcess } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import type { Pod } from '../core/k8s-types.js';
import type { TraceNote } from '../core/model.js';
import {
  NODE_DEBUG_COMPONENT,
  NODE_DEBUG_CONTAINER,
  NODE_DEBUG_LABELS,
  NODE_DEBUG_MANAGED_BY,
  NODE_DEBUG_PROCESS_ANNOTATION,
  labelValue,
  nodeDebugPod,
  nodeDebugPrivileges,
  readNodeDebugLine,
  type NodeDebugMode,
} from '../core/node-debug.js';
import { mayI } from './access-review.js';
import { ClusterError } from './errors.js';
import { request, requestJson, streamLines } from './http.js';
import { isRecord } from '../core/guards.js';
import { loadConnection, type Connection } from './kubeconfig.js';

/** What the user is asked before a debug pod is created. */
export interface NodeDebugPlan {
  readonly node: string;
  readonly namespace: string;
  readonly image: string;
  readonly context: string;
  readonly privileges: string;
}

export interface NodeDebugOptions {
  /** Where the debug pod runs (it needs a namespace whose Pod Security level allows hostPath). */
  readonly namespace: string;
  readonly image: string;
  /** The pod's activeDeadlineSeconds: the trace's timeout plus a margin. */
  readonly deadlineSeconds: number;
  /** Asked once per node, before anything is created: true to go ahead. */
  readonly confirm: (plan: NodeDebugPlan) => Promise<boolean>;
  /**
   * How to start the watchdog that deletes the pod if this process dies (argv after the Node
   * binary; the JSON job is appended). Omit to rely on activeDeadlineSeconds alone.
   */
  readonly watchdog?: readonly string[];
}

export function nodeDebugPlanText(p: NodeDebugPlan): string {
  return `Create a debug pod on node ${p.node} in namespace "${p.namespace}" (context ${p.context}) with image ${p.image}? It needs ${p.privileges}. It is deleted when the trace ends.`;
}

export interface NodeDebugRead {
  readonly ok: boolean;
  /** The runtime's lines (journal entries as envelope lines, or the log file's lines), since the start. */
  readonly text: string;
  /** What it costs or tells the trace: a refusal (degraded), or which record fed the CRI steps (info). */
  readonly note: TraceNote | null;
}

const POD_RULES =
  'Role rules in that namespace: apiGroups [""], resources ["pods"], verbs ["create", "get", "delete"]; apiGroups [""], resources ["pods/log"], verbs ["get"]';

function owner(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the uid is still distinct.
    user = String(process.getuid?.() ?? 'unknown');
  }
  return `${user}@${hostname()}`;
}

function processTag(): string {
  return `${hostname()}:${process.pid}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SelfSubjectAccessReview for one verb on pods (or a subresource) in a namespace. */
function allowed(conn: Connection, namespace: string, verb: string, subresource?: string): Promise<boolean> {
  return mayI(conn, { namespace, verb, resource: 'pods', ...(subresource ? { subresource } : {}) });
}

/** The debug pods of one run: one per node, shared by the traces of that run. */
export class NodeDebugPods {
  private readonly readers = new Map<string, NodeDebugReader>();
  private cleaned: Promise<void> | null = null;

  constructor(
    private readonly conn: Connection,
    readonly options: NodeDebugOptions,
  ) {}

  reader(node: string, service: 'containerd' | 'crio'): NodeDebugReader {
    const key = `${service}|${node}`;
    let r = this.readers.get(key);
    if (!r) {
      r = new NodeDebugReader(this.conn, this.options, node, service, () => this.cleanLeftovers());
      this.readers.set(key, r);
    }
    return r;
  }

  /** Deletes every debug pod this run created (idempotent). */
  async close(): Promise<void> {
    await Promise.all([...this.readers.values()].map((r) => r.close()));
  }

  /**
   * Debug pods this user left behind from processes on this host that are gone (a killed CLI, a
   * crashed extension host): deleted once per run, before creating a new one. Pods of live
   * processes and of other hosts are left alone (their own cleanup or deadline ends them).
   */
  cleanLeftovers(): Promise<void> {
    this.cleaned ??= (async () => {
      const { conn, options } = this;
      const selector = [
        `${NODE_DEBUG_LABELS.managedBy}=${NODE_DEBUG_MANAGED_BY}`,
        `${NODE_DEBUG_LABELS.component}=${NODE_DEBUG_COMPONENT}`,
        `${NODE_DEBUG_LABELS.owner}=${labelValue(owner())}`,
      ].join(',');
      try {
        const list = await requestJson<{
          items?: { metadata?: { name?: string; annotations?: Record<string, string> } }[];
        }>(conn, {
          method: 'GET',
          path: `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods`,
          query: { labelSelector: selector },
          describe: { verb: 'list', resource: 'pods', namespace: options.namespace },
        });
        const host = hostname();
        const stale = (list.items ?? []).filter((p) => {
          const tag = p.metadata?.annotations?.[NODE_DEBUG_PROCESS_ANNOTATION] ?? '';
          const i = tag.lastIndexOf(':');
          const pid = Number(tag.slice(i + 1));
          return tag.slice(0, i) === host && Number.isInteger(pid) && pid !== process.pid && !alive(pid);
        });
        await Promise.all(stale.map((p) => deletePod(conn, options.namespace, p.metadata?.name ?? '')));
      } catch {
        // No list right: nothing to clean that we could see; the deadline still ends old pods.
      }
    })();
    return this.cleaned;
  }
}

async function deletePod(conn: Connection, namespace: string, name: string): Promise<void> {
  if (!name) return;
  try {
    await request(conn, {
      method: 'DELETE',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
      body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 },
      describe: { verb: 'delete', resource: 'pods', namespace },
      timeoutMs: 15_000,
    });
  } catch (e) {
    if (!(e instanceof ClusterError && e.kind === 'not-found')) throw e;
  }
}

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting'; readonly done: Promise<void> }
  | { readonly kind: 'streaming' }
  | { readonly kind: 'refused'; readonly note: TraceNote };

/** One node's debug pod: created on the first read, followed until closed. */
export class NodeDebugReader {
  private state: State = { kind: 'idle' };
  private podName: string | null = null;
  private mode: NodeDebugMode | null = null;
  private readonly runtimeLines: string[] = [];
  private readonly kubeletLines: string[] = [];
  private lastLineAt = 0;
  private readonly abort = new AbortController();
  private watchdog: ChildProcess | null = null;
  private closed = false;
  private destroyed = false;
  private armed = false;
  private sourceNoteSent = false;

  constructor(
    private readonly conn: Connection,
    private readonly o: NodeDebugOptions,
    private readonly node: string,
    private readonly service: 'containerd' | 'crio',
    private readonly clean: () => Promise<void>,
  ) {}

  /** The debug pod's name once created (for tests and messages). */
  get pod(): string | null {
    return this.podName;
  }

  /** The kubelet's journal lines read so far that mention `namespace/name`. */
  kubeletText(pattern: string): string {
    return this.kubeletLines.filter((l) => l.includes(pattern)).join('\n');
  }

  /** The pod may be created at the next read (before: reads return nothing, and no pod exists). */
  arm(): void {
    this.armed = true;
  }

  /** Everything read since `since` (the first armed call creates the pod; later ones return what has arrived). */
  async read(since: Date): Promise<NodeDebugRead> {
    if (this.state.kind === 'idle' && !this.armed) return { ok: true, text: '', note: null };
    if (this.state.kind === 'idle') {
      const done = this.start(since);
      this.state = { kind: 'starting', done };
    }
    if (this.state.kind === 'starting') await this.state.done;
    const st = this.state as State;
    if (st.kind === 'refused') return { ok: false, text: '', note: st.note };
    await this.quiet();
    let note: TraceNote | null = null;
    if (!this.sourceNoteSent && this.mode) {
      this.sourceNoteSent = true;
      note = this.sourceNote();
    }
    return { ok: this.mode?.kind !== 'none', text: this.runtimeLines.join('\n'), note };
  }

  private sourceNote(): TraceNote {
    const where = `debug pod ${this.o.namespace}/${this.podName ?? '?'} on node ${this.node}`;
    const m = this.mode;
    if (m?.kind === 'journal')
      return {
        kind: 'info',
        source: 'runtime-log',
        message: `CRI steps come from ${this.service}'s journal on node ${this.node}, read by ${where} (journalctl -o json): the runtime's own times (ns where its lines carry them, else the journal's µs).`,
      };
    if (m?.kind === 'file')
      return {
        kind: 'info',
        source: 'runtime-log',
        message: `CRI steps come from ${m.path} on node ${this.node}, read by ${where}: the runtime's own times.`,
      };
    return {
      kind: 'degraded',
      source: 'runtime-log',
      message: `The ${where} found no runtime record to read (${m?.kind === 'none' ? m.reason : 'no answer'}): CRI steps have whole-second times from events (precision s).`,
      remedy: `Check where ${this.service} logs on that node (journalctl -u ${this.service}, /var/log/${this.service}.log).`,
    };
  }

  /** Waits until the stream has been quiet for 300 ms (it has caught up), at most 3 s. */
  private async quiet(): Promise<void> {
    const until = Date.now() + 3000;
    while (Date.now() < until && !this.closed) {
      if (this.mode && Date.now() - this.lastLineAt >= 300) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private refuse(message: string, remedy: string): void {
    this.state = { kind: 'refused', note: { kind: 'degraded', source: 'runtime-log', message, remedy } };
  }

  private async start(since: Date): Promise<void> {
    const { conn, o, node } = this;
    const plan: NodeDebugPlan = {
      node,
      namespace: o.namespace,
      image: o.image,
      context: conn.context,
      privileges: nodeDebugPrivileges(),
    };
    try {
      if (!(await o.confirm(plan))) {
        this.refuse(
          `No debug pod was created on node ${node} (not confirmed): CRI steps have whole-second times from events (precision s).`,
          'Confirm the debug pod when asked (the CLI asks on a terminal; pass --yes to confirm without one).',
        );
        return;
      }
      const missing: string[] = [];
      const checks: [string, string, string | undefined][] = [
        ['create pods', 'create', undefined],
        ['get pods', 'get', undefined],
        ['delete pods', 'delete', undefined],
        ['get pods/log', 'get', 'log'],
      ];
      const answers = await Promise.all(checks.map(([, verb, sub]) => allowed(conn, o.namespace, verb, sub)));
      answers.forEach((a, i) => {
        if (!a) missing.push(checks[i]?.[0] ?? '');
      });
      if (missing.length > 0) {
        this.refuse(
          `No debug pod on node ${node}: context ${conn.context} may not ${missing.join(', ')} in namespace "${o.namespace}" (SelfSubjectAccessReview), so CRI steps have whole-second times from events (precision s).`,
          `Grant ${missing.join(', ')} in namespace "${o.namespace}" (${POD_RULES}; docs/rbac.md), or use another namespace (--node-debug-namespace).`,
        );
        return;
      }
      await this.clean();
      const created = await this.create(since);
      if (!created) return;
      this.podName = created;
      this.startWatchdog(created);
      if (!(await this.waitRunning(created))) return;
      this.follow(created);
      // Until the first line (the mode) arrives: at most 20 s.
      const until = Date.now() + 20_000;
      while (!this.mode && Date.now() < until && !this.closed) await new Promise((r) => setTimeout(r, 100));
      if (!this.mode) {
        this.refuse(
          `The debug pod ${o.namespace}/${created} on node ${node} printed nothing in 20 s: CRI steps have whole-second times from events (precision s).`,
          `Look at it with kubectl -n ${o.namespace} logs ${created} before the trace ends; the node may lack chroot or journalctl.`,
        );
        await this.destroy();
        return;
      }
      this.state = { kind: 'streaming' };
    } catch (e) {
      this.refuse(
        `Reading node ${node} with a debug pod failed: ${e instanceof Error ? e.message : String(e)}. CRI steps have whole-second times from events (precision s).`,
        'See the message; the trace itself is not affected.',
      );
    }
  }

  private async create(since: Date): Promise<string | null> {
    const { conn, o, node } = this;
    const body = nodeDebugPod({
      node,
      namespace: o.namespace,
      image: o.image,
      service: this.service,
      sinceEpochSeconds: Math.floor(since.getTime() / 1000),
      deadlineSeconds: o.deadlineSeconds,
      owner: owner(),
      process: processTag(),
    });
    try {
      const pod = await requestJson<Pod>(conn, {
        method: 'POST',
        path: `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods`,
        body,
        describe: { verb: 'create', resource: 'pods', namespace: o.namespace },
      });
      return pod.metadata?.name ?? null;
    } catch (e) {
      const psa = e instanceof ClusterError ? /violates PodSecurity "([a-z]+)(?::[^"]*)?"/.exec(e.message) : null;
      if (psa) {
        this.refuse(
          `Pod Security admission refused the debug pod in namespace "${o.namespace}" (level ${psa[1]}): it mounts the node's root (hostPath) and runs as root with SYS_CHROOT, which only the privileged level allows. CRI steps have whole-second times from events (precision s).`,
          `Use a namespace labelled pod-security.kubernetes.io/enforce=privileged (--node-debug-namespace), or label one: kubectl label namespace ${o.namespace} pod-security.kubernetes.io/enforce=privileged (only for a namespace reserved to people who debug nodes).`,
        );
        return null;
      }
      throw e;
    }
  }

  private async waitRunning(name: string): Promise<boolean> {
    const { conn, o, node } = this;
    const until = Date.now() + 90_000;
    while (Date.now() < until && !this.closed) {
      const pod = await requestJson<Pod>(conn, {
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(name)}`,
        describe: { verb: 'get', resource: 'pods', namespace: o.namespace },
      });
      const cs = pod.status?.containerStatuses?.[0];
      if (cs?.state?.running || cs?.state?.terminated) return true;
      const waiting = cs?.state?.waiting;
      if (
        waiting?.reason &&
        /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainer|RunContainerError/.test(waiting.reason)
      ) {
        this.refuse(
          `The debug pod ${o.namespace}/${name} on node ${node} could not start: ${waiting.reason}${waiting.message ? ` (${waiting.message.slice(0, 200)})` : ''}. CRI steps have whole-second times from events (precision s).`,
          `Use an image the node can pull that has sh, chroot and tail (busybox): --node-debug-image, or the podBirth.nodeDebug.image setting.`,
        );
        await this.destroy();
        return false;
      }
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!this.closed)
      this.refuse(
        `The debug pod ${o.namespace}/${name} on node ${node} did not start in 90 s. CRI steps have whole-second times from events (precision s).`,
        `kubectl -n ${o.namespace} describe pod ${name}`,
      );
    await this.destroy();
    return false;
  }

  private follow(name: string): void {
    const { conn, o } = this;
    void streamLines(
      conn,
      {
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(name)}/log`,
        query: { container: NODE_DEBUG_CONTAINER, follow: true },
        describe: { verb: 'get', resource: 'pods/log', namespace: o.namespace },
        signal: this.abort.signal,
      },
      (raw) => {
        this.lastLineAt = Date.now();
        for (const l of readNodeDebugLine(raw, this.mode, this.service)) {
          if (l.type === 'mode') this.mode = l.mode;
          else if (l.type === 'log') (l.unit === 'kubelet' ? this.kubeletLines : this.runtimeLines).push(l.line);
        }
      },
    ).catch(() => {
      // The stream ends when the pod is deleted; what was read stays.
    });
  }

  /**
   * A detached process that deletes the pod when this one is gone (SIGKILL leaves no chance to
   * clean up here). It gets only the kubeconfig file names, the context and the pod; it exits with
   * us on a normal close.
   */
  private startWatchdog(name: string): void {
    const argv = this.o.watchdog;
    if (!argv) return;
    const job = JSON.stringify({
      parent: process.pid,
      files: this.conn.files,
      context: this.conn.context,
      namespace: this.o.namespace,
      pod: name,
      untilMs: Date.now() + (this.o.deadlineSeconds + 60) * 1000,
    });
    try {
      const child = spawn(process.execPath, [...argv, job], {
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      });
      child.unref();
      this.watchdog = child;
    } catch {
      // The deadline remains the backstop.
    }
  }

  /** Ends the reading and deletes the pod; waits for a start in progress (its loops see `closed`). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.state.kind === 'starting') await this.state.done.catch(() => undefined);
    await this.destroy();
  }

  private async destroy(): Promise<void> {
    this.closed = true;
    if (this.destroyed) return;
    this.destroyed = true;
    this.abort.abort();
    const name = this.podName;
    if (name) {
      try {
        await deletePod(this.conn, this.o.namespace, name);
      } catch {
        // The watchdog (if any) and the deadline still end it.
        return;
      }
    }
    if (this.watchdog?.pid) {
      try {
        process.kill(this.watchdog.pid);
      } catch {
        // Already gone.
      }
    }
  }
}

/** The watchdog's job (see NodeDebugReader.startWatchdog). */
export interface WatchdogJob {
  readonly parent: number;
  readonly files: readonly string[];
  readonly context: string;
  readonly namespace: string;
  readonly pod: string;
  readonly untilMs: number;
}

/**
 * Runs in the detached watchdog process: waits for the parent to end, then deletes the debug pod.
 * Gives up at `untilMs` (the pod's own deadline has ended it by then).
 */
export async function runNodeDebugWatchdog(job: WatchdogJob, connect: () => Connection): Promise<void> {
  while (Date.now() < job.untilMs) {
    if (!alive(job.parent)) {
      await deletePod(connect(), job.namespace, job.pod).catch(() => undefined);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function parseWatchdogJob(arg: string | undefined): WatchdogJob | null {
  try {
    const j = JSON.parse(arg ?? '') as unknown;
    if (!isRecord(j)) return null;
    const { parent, files, context, namespace, pod, untilMs } = j;
    if (typeof parent !== 'number' || typeof context !== 'string' || typeof namespace !== 'string') return null;
    if (typeof pod !== 'string' || typeof untilMs !== 'number' || !Array.isArray(files)) return null;
    if (!files.every((f): f is string => typeof f === 'string')) return null;
    return { parent, files, context, namespace, pod, untilMs };
  } catch {
    return null;
  }
}

/**
 * The watchdog process's entry (`pod-birth __node-debug-watchdog JOB`, or the extension's
 * `node -e "require(cluster.js).nodeDebugWatchdogMain(process.argv[1])" JOB`): same kubeconfig files
 * and context as the trace, nothing else. Resolves with an exit code.
 */
export async function nodeDebugWatchdogMain(arg: string | undefined): Promise<number> {
  const job = parseWatchdogJob(arg);
  if (!job) return 2;
  await runNodeDebugWatchdog(job, () =>
    loadConnection({ context: job.context, env: { ...process.env, KUBECONFIG: job.files.join(':') } }),
  );
  return 0;
}
