/**
 * Test harness for the real single-node cluster started by `npm run cluster:up` (test/cluster/up.sh).
 *
 * - `clusterEnv()` reads the cluster's state file and throws a clear error when the cluster is not up.
 * - `kubectl()` runs the cluster's own kubectl (cikube kubectl) with the admin or another kubeconfig.
 * - `mintKubeconfig()` creates a ServiceAccount with exactly the given RBAC rules and writes a
 *   token kubeconfig for it.
 * - `runtimeLogLinesFor()` is ground truth: it reads the runtime's own log lines for one pod (containerd
 *   1.6, containerd 2.2+ or CRI-O) straight from the node (journalctl or the runtime's plain log
 *   copy), never through the apiserver or the product; `truthCalls()` reads the CRI calls in them.
 * - `combinationOf()` says which runtime, Kubernetes version and node-log mode the cluster runs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isCrioLine,
  normalizeImageRef,
  runtimeLineTime,
  selectContainerdLines,
  selectCrioLines,
} from '../support/runtime-lines.js';
export {
  containerdLineTime,
  containerdMsg,
  indexRuntimePods,
  isoMicros,
  logrusFields,
  normalizeImageRef,
  runtimeLineMicros,
  runtimeLineTime,
  runtimeMsg,
  selectContainerdLines,
  selectCrioLines,
  truthCalls,
  type RuntimePodIndexEntry,
  type TruthCall,
} from '../support/runtime-lines.js';

export const DEFAULT_STATE_DIR = '/var/lib/pod-birth-cluster';

export interface ClusterEnv {
  stateDir: string;
  /** Absolute path of the cluster-admin kubeconfig (system:masters). */
  kubeconfig: string;
  nodeName: string;
  nodeIP: string;
  /** The multi-call binary; `cikube kubectl …`, `cikube kubelet …`. */
  cikube: string;
  /** Wrapper script: kubectl with the admin kubeconfig preset. */
  kubectl: string;
  /** Local registry, host:port; docker.io and registry.k8s.io are mirrored to it. */
  registry: string;
  /** The runtime's plain log copy, whatever the runtime (kept name; same as runtimeLog). */
  containerdLog: string;
  /** Plain-file copy of the runtime's journal: /var/log/<service>.log in open mode (served by the
   * kubelet as /logs/<service>.log), $STATE/logs/<service>.log in stock mode. Absent before
   * combinations existed. */
  runtimeLog?: string;
  /** What up.sh was asked for (absent on a cluster started before combinations: the default). */
  combination?: Combination;
  runtime?: { name: RuntimeKind; service: 'containerd' | 'crio'; version: string; endpoint: string; bin: string };
  kubeletLog: string;
  logsDir: string;
  /** test/cluster of the checkout that ran up.sh (holds daemon.sh, down.sh, …). */
  scriptsDir: string;
  kubernetesVersion: string;
  startedAt: string;
}

export type RuntimeKind = 'containerd' | 'containerd2' | 'crio';
export interface Combination {
  runtime: RuntimeKind;
  kubernetes: '1.34' | '1.37';
  nodeLogs: 'open' | 'stock';
}

/** The running cluster's combination; a cluster from before combinations is the default one. */
export function combinationOf(env: ClusterEnv = clusterEnv.unchecked()): Combination {
  return env.combination ?? { runtime: 'containerd', kubernetes: '1.34', nodeLogs: 'open' };
}

/** `containerd2-1.37-open`: the combination's name (matrix rows, fixture folders). */
/** Whether the cluster up runs the kubelet's stock log settings (false when no cluster is up). */
export function isStockNodeLogs(): boolean {
  try {
    return combinationOf(clusterEnv.unchecked()).nodeLogs === 'stock';
  } catch {
    return false;
  }
}

export function combinationName(c: Combination = combinationOf()): string {
  return `${c.runtime}-${c.kubernetes}-${c.nodeLogs}`;
}

function stateDir(): string {
  return process.env.POD_BIRTH_CLUSTER_DIR || DEFAULT_STATE_DIR;
}

function processAlive(pidFile: string): boolean {
  try {
    const [pid, start] = readFileSync(pidFile, 'utf8').trim().split(/\s+/);
    if (!pid) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    // fields[0] is the state (field 3), fields[19] the start time (field 22)
    return fields[0] !== 'Z' && fields[19] === start;
  } catch {
    return false;
  }
}

function readClusterJson(): ClusterEnv {
  const file = join(stateDir(), 'cluster.json');
  if (!existsSync(file)) {
    throw new Error(
      `The test cluster is not up (no ${file}). Start it with \`npm run cluster:up\` (as root), ` +
        'or set POD_BIRTH_CLUSTER_DIR if it uses another state dir.',
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterEnv;
}

/**
 * The running cluster's paths and names. Throws (with what to do) when the cluster is not up or
 * one of kube-apiserver, etcd, kubelet and the runtime (containerd or crio) is not running. `clusterEnv.unchecked()`
 * skips the liveness check (e.g. while a fault test has stopped a daemon).
 */
export function clusterEnv(): ClusterEnv {
  const dir = stateDir();
  const env = readClusterJson();
  const runtime = env.runtime?.service === 'crio' ? 'crio' : 'containerd';
  for (const d of ['kube-apiserver', 'etcd', 'kubelet', runtime]) {
    if (!processAlive(join(dir, 'pids', `${d}.pid`))) {
      throw new Error(
        `The test cluster is not healthy: ${d} is not running (see ${env.logsDir}). ` +
          'Run `npm run cluster:status`, then `npm run cluster:down && npm run cluster:up`.',
      );
    }
  }
  return env;
}
clusterEnv.unchecked = readClusterJson;

export interface KubectlOptions {
  /** Kubeconfig to use; default: the admin kubeconfig. */
  kubeconfig?: string;
  /** Data for stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `cikube kubectl --kubeconfig <kubeconfig> ...args`; never goes through a shell. */
export function kubectlResult(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  const env = clusterEnv.unchecked();
  const kubeconfig = opts.kubeconfig ?? env.kubeconfig;
  return new Promise((resolve, reject) => {
    const child = execFile(
      env.cikube,
      ['kubectl', '--kubeconfig', kubeconfig, ...args],
      { maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (err && !opts.allowFailure) {
          reject(
            new Error(
              `kubectl ${args.join(' ')} failed (exit ${String(err.code ?? err.signal)}): ${stderr.trim() || err.message}`,
            ),
          );
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Run kubectl and return stdout; throws with stderr on failure. */
export async function kubectl(args: string[], opts: KubectlOptions = {}): Promise<string> {
  return (await kubectlResult(args, opts)).stdout;
}

export async function kubectlJson<T = unknown>(args: string[], opts: KubectlOptions = {}): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'], opts)) as T;
}

/** `kubectl get --raw PATH` (e.g. a node proxy path). */
export function getRaw(path: string, opts: KubectlOptions = {}): Promise<string> {
  return kubectl(['get', '--raw', path], opts);
}

/** Apply one or more objects (JSON objects, or YAML/JSON text) with server-side validation. */
export async function apply(objects: object | object[] | string, opts: KubectlOptions = {}): Promise<string> {
  const input =
    typeof objects === 'string'
      ? objects
      : JSON.stringify(Array.isArray(objects) ? { apiVersion: 'v1', kind: 'List', items: objects } : objects);
  return kubectl(['apply', '-f', '-'], { ...opts, input });
}

/** A random DNS-1123 suffix. */
export function randomSuffix(len = 6): string {
  return randomBytes(8).toString('hex').slice(0, len);
}

/** Create a fresh namespace `<prefix>-<random>` and return its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomSuffix()}`.toLowerCase().slice(0, 63);
  await kubectl(['create', 'namespace', name]);
  // The ServiceAccount admission plugin rejects pods until the controller-manager made `default`.
  await waitFor(`ServiceAccount default in ${name}`, async () => {
    const r = await kubectlResult(['-n', name, 'get', 'serviceaccount', 'default'], { allowFailure: true });
    return r.code === 0 ? true : undefined;
  });
  return name;
}

/** Delete a namespace (does not wait for finalization unless `wait`). */
export async function deleteNamespace(name: string, wait = false): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', `--wait=${wait}`], { timeoutMs: 120_000 });
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Poll `fn` until it returns something other than undefined/false; throws after the timeout. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 60_000} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

// Minimal shapes of the objects the tests read (the product has its own types).
export interface ContainerStateLite {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; startedAt?: string; finishedAt?: string };
}
export interface ContainerStatusLite {
  name: string;
  image: string;
  imageID?: string;
  containerID?: string;
  ready: boolean;
  restartCount: number;
  state?: ContainerStateLite;
  lastState?: ContainerStateLite;
}
export interface PodLite {
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string; resourceVersion?: string };
  spec: {
    nodeName?: string;
    containers: { name: string; image: string }[];
    initContainers?: { name: string; image: string }[];
  };
  status: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatusLite[];
    initContainerStatuses?: ContainerStatusLite[];
  };
}
export interface CoreEventLite {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

export function getPod(namespace: string, name: string): Promise<PodLite> {
  return kubectlJson<PodLite>(['-n', namespace, 'get', 'pod', name]);
}

/** Wait until `pred(pod)` is true; returns that pod. */
export function waitForPod(
  namespace: string,
  name: string,
  what: string,
  pred: (p: PodLite) => boolean,
  opts: WaitOptions = {},
): Promise<PodLite> {
  return waitFor(
    `pod ${namespace}/${name}: ${what}`,
    async () => {
      const p = await getPod(namespace, name);
      return pred(p) ? p : undefined;
    },
    { timeoutMs: 90_000, ...opts },
  );
}

/** core/v1 Events whose involvedObject is the given pod (by uid). */
export async function podEvents(namespace: string, uid: string): Promise<CoreEventLite[]> {
  const list = await kubectlJson<{ items: CoreEventLite[] }>([
    '-n',
    namespace,
    'get',
    'events',
    '--field-selector',
    `involvedObject.uid=${uid}`,
  ]);
  return list.items;
}

/** Wait until the pod has an event with `reason` (and message matching `message` if given). */
export function waitForEvent(
  namespace: string,
  uid: string,
  reason: string,
  message?: RegExp,
  opts: WaitOptions = {},
): Promise<CoreEventLite> {
  return waitFor(
    `event ${reason}${message ? ` ${String(message)}` : ''} for pod ${namespace}/${uid}`,
    async () => {
      const evs = await podEvents(namespace, uid);
      return evs.find((e) => e.reason === reason && (!message || message.test(e.message ?? '')));
    },
    { timeoutMs: 90_000, intervalMs: 500, ...opts },
  );
}

export type DaemonName =
  | 'systemd-journald'
  | 'docker-registry'
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'containerd'
  | 'crio'
  | 'kubelet';

/**
 * Stop (SIGTERM), kill (SIGKILL, a crash), start or restart one cluster daemon (fault injection)
 * through test/cluster/daemon.sh: same command, cgroups and log destination as up.sh used, new
 * PID recorded for down.sh; start/restart resolve once the daemon answers its health check.
 * A graceful kube-apiserver stop waits up to 15 s for watches to drain; use kill + start for a
 * fast restart.
 */
export async function daemon(action: 'stop' | 'kill' | 'start' | 'restart', name: DaemonName): Promise<void> {
  const env = clusterEnv.unchecked();
  await run('bash', [join(env.scriptsDir, 'daemon.sh'), action, name], 180_000);
}

// ---------------------------------------------------------------------------------------------
// Node proxy

/** Path of a Node Log Query through the apiserver node proxy. */
export function nodeLogQueryPath(
  params: Record<string, string | number | string[]>,
  node = clusterEnv.unchecked().nodeName,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
  }
  return `/api/v1/nodes/${encodeURIComponent(node)}/proxy/logs/?${q.toString()}`;
}

/** RFC 3339 (second precision, what the kubelet accepts) for sinceTime/untilTime. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// Narrow-RBAC kubeconfigs

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface MintedKubeconfig {
  /** Path of the kubeconfig file (token auth as the ServiceAccount). */
  path: string;
  /** The user as the apiserver sees it: system:serviceaccount:<ns>:<name>. */
  username: string;
  namespace: string;
  serviceAccount: string;
  token: string;
  /** Delete the cluster-scoped RBAC objects (namespaced ones go with the namespace) and the file. */
  cleanup(): Promise<void>;
}

/**
 * Create ServiceAccount `name` in `namespace` (the namespace is created when missing) bound to a
 * Role with `rules` (namespaced) and, when `opts.clusterRules` is given, to a ClusterRole with
 * those (e.g. `{ resources: ['nodes/proxy'], verbs: ['get'] }`). Returns a kubeconfig that
 * authenticates with a bound token of that ServiceAccount and uses `namespace` as its default.
 */
export async function mintKubeconfig(
  name: string,
  namespace: string,
  rules: PolicyRule[],
  opts: { clusterRules?: PolicyRule[]; duration?: string } = {},
): Promise<MintedKubeconfig> {
  const env = clusterEnv.unchecked();
  const withGroups = (rs: PolicyRule[]) =>
    rs.map((r) => (r.nonResourceURLs ? r : { apiGroups: r.apiGroups ?? [''], ...r }));
  const exists = await kubectlResult(['get', 'namespace', namespace], { allowFailure: true });
  if (exists.code !== 0) await kubectl(['create', 'namespace', namespace]);
  const objects: object[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }];
  if (rules.length > 0) {
    objects.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace },
        rules: withGroups(rules),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    );
  }
  const clusterName = `pod-birth-test:${namespace}:${name}`;
  if (opts.clusterRules && opts.clusterRules.length > 0) {
    objects.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: clusterName },
        rules: withGroups(opts.clusterRules),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: clusterName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    );
  }
  await apply(objects);
  const token = (
    await kubectl(['-n', namespace, 'create', 'token', name, `--duration=${opts.duration ?? '2h'}`])
  ).trim();
  const ca = readFileSync(join(env.stateDir, 'pki', 'ca.crt')).toString('base64');
  const dir = join(env.stateDir, 'minted');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${namespace}.${name}.kubeconfig`);
  const user = `system:serviceaccount:${namespace}:${name}`;
  const server = readFileSync(env.kubeconfig, 'utf8').match(/server:\s*(\S+)/)?.[1] ?? 'https://127.0.0.1:6443';
  writeFileSync(
    path,
    JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'pod-birth-ci', cluster: { server, 'certificate-authority-data': ca } }],
        users: [{ name: user, user: { token } }],
        contexts: [{ name: `${name}@pod-birth-ci`, context: { cluster: 'pod-birth-ci', user, namespace } }],
        'current-context': `${name}@pod-birth-ci`,
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  return {
    path,
    username: user,
    namespace,
    serviceAccount: name,
    token,
    async cleanup() {
      if (opts.clusterRules && opts.clusterRules.length > 0) {
        await kubectl(['delete', 'clusterrolebinding,clusterrole', clusterName, '--ignore-not-found']);
      }
      await kubectl(['-n', namespace, 'delete', 'rolebinding,role,serviceaccount', name, '--ignore-not-found']);
      // The file holds a live token: do not leave it in the state dir.
      rmSync(path, { force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Images

/**
 * Copy library/busybox:<from> in the local registry to a new, never-pulled tag and return the
 * image reference to use in a pod (`busybox:<tag>`), so a test gets a real first pull.
 */
export async function pushFreshTag(
  from = '1.37',
  tag = `fresh-${Date.now().toString(36)}-${randomSuffix(4)}`,
): Promise<string> {
  const env = clusterEnv.unchecked();
  await run('skopeo', [
    '--insecure-policy',
    'copy',
    '-q',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${env.registry}/library/busybox:${from}`,
    `docker://${env.registry}/library/busybox:${tag}`,
  ]);
  return `busybox:${tag}`;
}

/**
 * Make `image` present in the node's image store the way a real node gets it: a throw-away pod
 * pulls it (IfNotPresent) and is deleted once its container has an imageID. A fresh cluster (CI)
 * has nothing pulled yet, so tests about "already present" must not rely on an earlier test.
 */
export async function ensureImagePresent(namespace: string, image: string): Promise<void> {
  const name = `warm-${randomSuffix(6)}`;
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      terminationGracePeriodSeconds: 0,
      restartPolicy: 'Never',
      containers: [{ name: 'warm', image, imagePullPolicy: 'IfNotPresent', command: ['true'] }],
    },
  });
  try {
    await waitForPod(namespace, name, `image ${image} pulled`, (p) =>
      (p.status?.containerStatuses ?? []).some((c) => !!c.imageID),
    );
  } finally {
    await kubectl(['-n', namespace, 'delete', 'pod', name, '--wait=false', '--ignore-not-found']);
  }
}

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Ground truth: the runtime's own log lines for a pod, read on the node
//
// The lines are read here; which lines are a pod's and which CRI calls they log is decided in
// test/support/runtime-lines.ts (containerd 1.6, containerd 2.2+ and CRI-O), written apart from the
// product's parsers so that one mistake cannot hide in both.

export type PodRef = string | { namespace: string; name: string; uid?: string };

export interface RuntimeLogOptions {
  /** `journal` (default): `journalctl -u <service> -o short-precise --utc`, i.e. the lines the
   * kubelet's Node Log Query returns, with the journal prefix. `file`: raw lines of the runtime's
   * plain log copy (`cluster.json` runtimeLog: /var/log/<service>.log in open mode). */
  source?: 'journal' | 'file';
  /** Only lines at or after this time. */
  since?: Date;
  /** Images whose pull lines belong to the pod. Default: the images in the pod's spec if the pod
   * still exists (a lookup of the spec only), else none. */
  images?: string[];
}

export interface RuntimeLogExcerpt {
  /** The raw lines, in log order. */
  lines: string[];
  sandboxIds: string[];
  containerIds: string[];
  /** Normalized image references that were matched for pull lines. */
  images: string[];
  source: 'journal' | 'file';
}

/** The journal unit / Node Log Query service of the running cluster's runtime. */
export function runtimeService(env: ClusterEnv = clusterEnv.unchecked()): 'containerd' | 'crio' {
  return env.runtime?.service === 'crio' ? 'crio' : 'containerd';
}

/** Read the runtime's log from the node: the journal (default) or the plain file copy. */
export async function readRuntimeLog(source: 'journal' | 'file' = 'journal', since?: Date): Promise<string[]> {
  const env = clusterEnv.unchecked();
  let text: string;
  if (source === 'file') {
    text = readFileSync(env.runtimeLog ?? env.containerdLog, 'utf8');
  } else {
    const args = ['--no-pager', '--utc', '-o', 'short-precise', '-u', `${runtimeService(env)}.service`];
    if (since) args.push('--since', `${since.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    text = await run('journalctl', args);
  }
  let lines = text.split('\n').filter((l) => l.length > 0 && !l.startsWith('-- '));
  if (since) {
    const t = since.getTime();
    lines = lines.filter((l) => (runtimeLineTime(l)?.getTime() ?? t) >= t);
  }
  return lines;
}
/** @deprecated name from before CRI-O: the same as readRuntimeLog. */
export const readContainerdLog = readRuntimeLog;

export async function runtimeLogLinesFor(pod: PodRef, opts: RuntimeLogOptions = {}): Promise<RuntimeLogExcerpt> {
  const source = opts.source ?? 'journal';
  let uid: string | undefined;
  let namespace: string | undefined;
  let name: string | undefined;
  if (typeof pod === 'string') uid = pod;
  else ({ uid, namespace, name } = pod);

  let images = opts.images;
  if (!images && namespace && name) {
    const r = await kubectlResult(['-n', namespace, 'get', 'pod', name, '-o', 'json'], { allowFailure: true });
    if (r.code === 0) {
      const p = JSON.parse(r.stdout) as PodLite;
      uid ??= p.metadata.uid;
      images = [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c) => c.image);
    }
  }
  const all = await readRuntimeLog(source, opts.since);
  const pick = runtimeService() === 'crio' || all.some(isCrioLine) ? selectCrioLines : selectContainerdLines;
  const sel = pick(all, { uid, namespace, name }, new Set((images ?? []).map(normalizeImageRef)));
  return { ...sel, images: [...new Set((images ?? []).map(normalizeImageRef))], source };
}

/** @deprecated name from before CRI-O: the same as indexRuntimePods. */
export { indexRuntimePods as indexContainerdPods } from '../support/runtime-lines.js';

// ---------------------------------------------------------------------------------------------
// Raw watches (what a client-go/client-node watch receives), for tests and fixture recording

export interface WatchEvent<T = unknown> {
  /** Local receive time, ms since the epoch. */
  receivedAt: number;
  type: string;
  object: T;
}

export interface RawWatch<T = unknown> {
  /** Events received so far (the array grows while the watch runs). */
  events: WatchEvent<T>[];
  /** Stop the watch; resolves with all events received. */
  stop(): Promise<WatchEvent<T>[]>;
  process: ChildProcess;
}

/**
 * Start `kubectl get --raw <apiPath>?watch=1&…` (newline-delimited watch events) and collect the
 * events with their receive time. `apiPath` is e.g. `/api/v1/namespaces/ns/pods`; `query` adds
 * fieldSelector/labelSelector/resourceVersion. Pass the resourceVersion of a preceding list to
 * miss nothing (see `listResourceVersion`); without it the server starts with synthetic ADDED
 * events for what exists when the request arrives.
 */
export function rawWatch<T = unknown>(
  apiPath: string,
  query: Record<string, string> = {},
  opts: KubectlOptions = {},
): RawWatch<T> {
  const env = clusterEnv.unchecked();
  const q = new URLSearchParams({ watch: '1', allowWatchBookmarks: 'false', ...query });
  const child = spawn(
    env.cikube,
    ['kubectl', '--kubeconfig', opts.kubeconfig ?? env.kubeconfig, 'get', '--raw', `${apiPath}?${q.toString()}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: WatchEvent<T>[] = [];
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const receivedAt = Date.now();
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as { type: string; object: T };
      events.push({ receivedAt, type: ev.type, object: ev.object });
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    events,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (events.length === 0 && stderr.trim()) throw new Error(`watch ${apiPath} failed: ${stderr.trim()}`);
      return events;
    },
  };
}

/** The resourceVersion of a list (e.g. `['-n', ns, 'get', 'pods']`), to start a watch from. */
export async function listResourceVersion(getArgs: string[], opts: KubectlOptions = {}): Promise<string> {
  const list = await kubectlJson<{ metadata: { resourceVersion: string } }>(getArgs, opts);
  return list.metadata.resourceVersion;
}

// ---------------------------------------------------------------------------------------------
// A loopback TCP proxy in front of the apiserver, to cut client connections (fault injection)

export interface LoopbackProxy {
  readonly port: number;
  /** A copy of the given kubeconfig whose server is the proxy (same credentials, same CA). */
  readonly kubeconfig: string;
  /** The apiserver URL the proxy forwards to. */
  readonly target: string;
  /** Client connections accepted so far. */
  readonly accepted: number;
  /** Client connections open now. */
  readonly open: number;
  /** Drops every open connection, both sides (what a NAT timeout or a flaky link does); returns how many. */
  cut(): number;
  /** While refusing, new connections are closed at once (the apiserver looks unreachable). */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

/**
 * Start a TCP proxy on 127.0.0.1 (random port) to the apiserver named in `kubeconfig` (default: the
 * admin kubeconfig) and write a kubeconfig that goes through it. TLS stays end to end: the proxy
 * only moves bytes, so the apiserver's certificate must be valid for 127.0.0.1 (it is).
 */
export async function loopbackProxy(kubeconfig = clusterEnv.unchecked().kubeconfig): Promise<LoopbackProxy> {
  const net = await import('node:net');
  const text = readFileSync(kubeconfig, 'utf8');
  const server = text.match(/"?server"?\s*:\s*"?([^\s",]+)/)?.[1];
  if (!server) throw new Error(`no server in ${kubeconfig}`);
  const target = new URL(server);
  const pairs = new Set<[import('node:net').Socket, import('node:net').Socket]>();
  let accepted = 0;
  let refusing = false;
  const proxy = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = net.connect(Number(target.port || 443), target.hostname);
    const pair: [import('node:net').Socket, import('node:net').Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    for (const s of pair) {
      s.on('error', () => undefined);
      s.on('close', () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as import('node:net').AddressInfo).port;
  const env = clusterEnv.unchecked();
  const dir = join(env.stateDir, 'minted');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `proxy-${port}.kubeconfig`);
  writeFileSync(path, text.split(server).join(`https://127.0.0.1:${port}`), { mode: 0o600 });
  return {
    port,
    kubeconfig: path,
    target: server,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cut() {
      const n = pairs.size;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return n;
    },
    refuse(on: boolean) {
      refusing = on;
    },
    async close() {
      refusing = true;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((r) => proxy.close(() => r()));
      const { rmSync } = await import('node:fs');
      rmSync(path, { force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Numbers for reports

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}
