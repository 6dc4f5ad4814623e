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

/** Normalize an image reference as containerd/docker do: busybox:1.36 -> docker.io/library/busybox:1.36. */
export function normalizeImageRef(ref: string): string {
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = `docker.io/${name}`;
  if (/^docker\.io\/[^/]+$/.test(name.replace(/:[^/]*$/, '')))
    name = name.replace(/^docker\.io\//, 'docker.io/library/');
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!suffix && !lastPart.includes(':')) name += ':latest';
  return name + suffix;
}

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
// Written apart from the product's parsers (src/core/logs) on purpose: the live tests compare the
// product's trace with what these independent readers find, so one mistake cannot hide in both.
// Three formats are known: containerd 1.6/1.7 (`&PodSandboxMetadata{Name:x,Uid:y,…}`), containerd
// 2.2+ (prototext: `name:"x" uid:"y" namespace:"z"`) and CRI-O (`Running pod sandbox: ns/pod/POD`,
// pods named by `<namespace>/<pod>/<container>` descriptions, requests tied together by `id=`).

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

/** The logrus `key=value` fields of a line (quoted values unescaped), journal prefix ignored. */
export function logrusFields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const start = line.search(/(?:^|\s)time="/);
  const text = start >= 0 ? line.slice(start) : line;
  const re = /(?:^|\s)([A-Za-z_][\w.-]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  for (const m of text.matchAll(re)) {
    const [, key = '', quoted, bare] = m;
    if (!out.has(key)) out.set(key, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? ''));
  }
  return out;
}

/** The runtime's own timestamp of a log line (its time="…" field) as microseconds since the epoch. */
export function runtimeLineMicros(line: string): number | undefined {
  const t = line.match(/(?:^|\s)time="([^"]+)"/)?.[1];
  return t === undefined ? undefined : isoMicros(t);
}

/** `2026-12-06T18:48:52.123456789Z`, `2026-12-06 18:48:52.123456789+00:00` → µs since the epoch. */
export function isoMicros(text: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, day = '', clock = '', frac = '', zone = 'Z'] = m;
  const z = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${day}T${clock}${z}`);
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number(`${frac}000000`.slice(0, 6));
}

/** The runtime's own timestamp of a log line as a Date (ms), or undefined. */
export function runtimeLineTime(line: string): Date | undefined {
  const us = runtimeLineMicros(line);
  return us === undefined ? undefined : new Date(Math.floor(us / 1000));
}
/** @deprecated name from before CRI-O: the same as runtimeLineTime. */
export const containerdLineTime = runtimeLineTime;

/** The `msg` of a logrus line (containerd or CRI-O), unescaped. */
export function runtimeMsg(line: string): string | undefined {
  const m = line.match(/ msg="((?:[^"\\]|\\.)*)"/) ?? line.match(/ msg=(\S+)/);
  return m?.[1]?.replace(/\\(.)/g, '$1');
}
/** The `msg` of a containerd logrus line, unescaped (CRI-O lines too). */
export const containerdMsg = runtimeMsg;

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

/** Whether the line is CRI-O's (its request fields, or the journal identifier `crio[pid]:`). */
function isCrioLine(line: string): boolean {
  return / crio\[\d+\]: /.test(line) || / name=\/runtime\.v1\./.test(line);
}

/** Sandbox identity of a containerd RunPodSandbox message, in either metadata rendering. */
function containerdSandboxMeta(m: string): { name: string; uid: string; namespace: string } | undefined {
  if (!m.startsWith('RunPodSandbox for ')) return undefined;
  const gogo = m.match(/PodSandboxMetadata\{Name:([^,]*),Uid:([^,]*),Namespace:([^,]*),/);
  if (gogo) return { name: gogo[1] ?? '', uid: gogo[2] ?? '', namespace: gogo[3] ?? '' };
  const field = (k: string) => m.match(new RegExp(`(?:^|\\s)${k}:"((?:[^"\\\\]|\\\\.)*)"`))?.[1];
  const name = field('name');
  if (name === undefined) return undefined;
  return { name, uid: field('uid') ?? '', namespace: field('namespace') ?? '' };
}

/** `<namespace>/<pod>/<container>` in a CRI-O message or its description field. */
function crioDescription(
  msg: string,
  fields: Map<string, string>,
): { namespace: string; pod: string; container: string } | undefined {
  const text =
    fields.get('description') ??
    msg.match(
      /^(?:Running pod sandbox|Creating container|Created container \S+|Ran pod sandbox \S+ with infra container|Stopped container \S+|Removed container \S+): (.*)$/,
    )?.[1];
  const parts = text?.trim().split('/');
  if (!parts || parts.length !== 3) return undefined;
  const [namespace = '', pod = '', container = ''] = parts;
  return { namespace, pod, container };
}

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

interface PodKey {
  uid?: string;
  namespace?: string;
  name?: string;
}
type Selection = Omit<RuntimeLogExcerpt, 'images' | 'source'>;

/**
 * containerd: RunPodSandbox lines by uid (or name+namespace when no uid is known) → sandbox ids
 * from `returns sandbox id`; lines naming a sandbox id (CreateContainer within sandbox …,
 * StopPodSandbox, …) → container ids from `returns container id`; lines naming a container id
 * (StartContainer, StopContainer, TaskExit, …); plus the pull lines (PullImage, Pulled image,
 * ImageCreate/Update) of the pod's images from its first sandbox line on.
 */
export function selectContainerdLines(all: string[], pod: PodKey, wantedImages: Set<string>): Selection {
  const msgs = all.map((l) => runtimeMsg(l) ?? '');
  const isPodSandboxLine = (m: string): boolean => {
    const meta = containerdSandboxMeta(m);
    if (!meta) return false;
    if (pod.uid) return meta.uid === pod.uid;
    return meta.name === pod.name && meta.namespace === pod.namespace;
  };
  const sandboxIds = new Set<string>();
  const containerIds = new Set<string>();
  const keep = new Array<boolean>(all.length).fill(false);
  let firstTime: number | undefined;
  msgs.forEach((m, i) => {
    if (!isPodSandboxLine(m)) return;
    keep[i] = true;
    firstTime ??= runtimeLineTime(all[i] ?? '')?.getTime();
    const id = m.match(/returns sandbox id "([0-9a-f]{64})"/)?.[1];
    if (id) sandboxIds.add(id);
  });
  // Ids are matched on the whole line: some lines carry them only in a field (id=…, path=…).
  all.forEach((line, i) => {
    for (const sb of sandboxIds) {
      if (!line.includes(sb)) continue;
      keep[i] = true;
      const id = msgs[i]?.match(/returns container id "([0-9a-f]{64})"/)?.[1];
      if (id) containerIds.add(id);
    }
  });
  all.forEach((line, i) => {
    if (keep[i]) return;
    for (const id of containerIds) if (line.includes(id)) keep[i] = true;
  });
  if (wantedImages.size > 0 && firstTime !== undefined) {
    msgs.forEach((m, i) => {
      if (keep[i]) return;
      const t = runtimeLineTime(all[i] ?? '')?.getTime();
      if (t === undefined || t < firstTime! - 1000) return;
      const ref =
        m.match(/^PullImage "([^"]+)"/)?.[1] ??
        m.match(/^Pulled image "([^"]+)"/)?.[1] ??
        m.match(/^Image(?:Create|Update|Delete) event &Image\w+\{Name:([^,]+),/)?.[1] ??
        m.match(/^Image(?:Create|Update|Delete) event name:"([^"]+)"/)?.[1];
      if (ref && wantedImages.has(normalizeImageRef(ref))) keep[i] = true;
    });
  }
  return { lines: all.filter((_, i) => keep[i]), sandboxIds: [...sandboxIds], containerIds: [...containerIds] };
}

/**
 * CRI-O names pods by `<namespace>/<pod>/<container>` and never prints the pod UID except in `Got
 * pod network &{Name:… Namespace:… ID:<sandbox> UID:<uid> …}`. Sandboxes: `Ran pod sandbox <id>
 * with infra container: ns/pod/POD` for this pod (not another pod's UID) → every line of those
 * requests (`id=`: the `Running pod sandbox` start line) and every line naming the sandbox.
 * Containers: `Created container <id>: ns/pod/<c>` after this pod's sandbox and before the next
 * sandbox of a pod with the same name → the lines of that request and every line naming the
 * container id. Pulls: `Pulling image: <image>` of the pod's images from its first line on, with
 * their request's other lines (`Pulled image: …`).
 */
export function selectCrioLines(all: string[], podKey: PodKey, wantedImages: Set<string>): Selection {
  let pod = podKey;
  const parsed = all.map((l) => ({ msg: runtimeMsg(l) ?? '', fields: logrusFields(l) }));
  const sandboxUid = new Map<string, string>();
  for (const { msg } of parsed) {
    const m = msg.match(/^Got pod network &\{.*?\bID:([^\s}]+)[\s}].*?\bUID:([^\s}]+)[\s}]/);
    if (m?.[1] && m[2]) sandboxUid.set(m[1], m[2]);
  }
  const samePod = (d: { namespace: string; pod: string } | undefined): boolean =>
    !!d && d.namespace === pod.namespace && d.pod === pod.name;
  const sandboxIds = new Set<string>();
  const containerIds = new Set<string>();
  const requests = new Set<string>();
  let current: string | undefined; // the latest sandbox of a pod with this name, in log order
  const keep = new Array<boolean>(all.length).fill(false);
  let firstTime: number | undefined;
  parsed.forEach(({ msg, fields }) => {
    const ran = msg.match(/^Ran pod sandbox (\S+) with infra container: /);
    const ranDesc = crioDescription(msg, fields);
    if (ran?.[1] && (samePod(ranDesc) || (pod.uid && sandboxUid.get(ran[1]) === pod.uid))) {
      const sb = ran[1];
      // The same name with another uid (a pod deleted and created again) is another pod.
      const ours = !pod.uid || !sandboxUid.has(sb) || sandboxUid.get(sb) === pod.uid;
      current = ours ? sb : undefined;
      if (ranDesc && !pod.name) {
        pod = { ...pod, namespace: ranDesc.namespace, name: ranDesc.pod };
      }
      if (ours) {
        sandboxIds.add(sb);
        const rid = fields.get('id');
        if (rid) requests.add(rid);
      }
      return;
    }
    const created = msg.match(/^Created container (\S+): /);
    if (created?.[1] && current && samePod(crioDescription(msg, fields))) {
      containerIds.add(created[1]);
      const rid = fields.get('id');
      if (rid) requests.add(rid);
    }
    // A sandbox that never ran (RunPodSandbox failed) is still this pod's when the uid is unknown.
    if (!pod.uid && msg.startsWith('Running pod sandbox: ') && samePod(crioDescription(msg, fields))) {
      const rid = fields.get('id');
      if (rid) requests.add(rid);
    }
  });
  all.forEach((line, i) => {
    const rid = parsed[i]?.fields.get('id');
    if (rid && requests.has(rid)) keep[i] = true;
    for (const id of [...sandboxIds, ...containerIds]) if (line.includes(id)) keep[i] = true;
    if (keep[i]) firstTime ??= runtimeLineTime(line)?.getTime();
  });
  if (wantedImages.size > 0 && firstTime !== undefined) {
    const pulls = new Set<string>();
    parsed.forEach(({ msg, fields }, i) => {
      const img = msg.match(/^Pulling image: (\S+)$/)?.[1];
      const t = runtimeLineTime(all[i] ?? '')?.getTime();
      if (!img || t === undefined || t < firstTime! - 1000) return;
      const rid = fields.get('id');
      if (wantedImages.has(normalizeImageRef(img)) && rid) pulls.add(rid);
    });
    parsed.forEach(({ fields }, i) => {
      const rid = fields.get('id');
      if (rid && pulls.has(rid)) keep[i] = true;
    });
  }
  return { lines: all.filter((_, i) => keep[i]), sandboxIds: [...sandboxIds], containerIds: [...containerIds] };
}

/** One CRI call as the runtime logged it (start, end or failure line), read without the product. */
export interface TruthCall {
  rpc: 'RunPodSandbox' | 'PullImage' | 'CreateContainer' | 'StartContainer';
  phase: 'start' | 'end' | 'failed';
  /** The runtime's own time, µs since the epoch, and as written. */
  micros: number;
  time: string;
  /** CreateContainer/StartContainer: the container's name and attempt (CRI-O: counted per name). */
  container?: string;
  attempt?: number;
  containerId?: string;
  image?: string;
  line: string;
}

/**
 * The birth CRI calls (RunPodSandbox, PullImage, CreateContainer, StartContainer) in one pod's
 * runtime lines (from runtimeLogLinesFor), in log order. Each start line's container is carried to
 * its end line (containerd: by container id; CRI-O: by request id).
 */
export function truthCalls(lines: string[]): TruthCall[] {
  const out: TruthCall[] = [];
  const byContainerId = new Map<string, { container: string; attempt: number }>();
  const byRequest = new Map<string, { container?: string; attempt?: number; image?: string }>();
  const crioAttempts = new Map<string, number>();
  for (const line of lines) {
    const msg = runtimeMsg(line);
    const time = line.match(/(?:^|\s)time="([^"]+)"/)?.[1];
    const micros = time === undefined ? undefined : isoMicros(time);
    if (msg === undefined || time === undefined || micros === undefined) continue;
    const fields = logrusFields(line);
    const base = { micros, time, line };
    const push = (c: Omit<TruthCall, 'micros' | 'time' | 'line'>) => out.push({ ...base, ...c });
    let m: RegExpMatchArray | null;
    if (isCrioLine(line)) {
      const rid = fields.get('id') ?? '';
      const desc = crioDescription(msg, fields);
      if (msg.startsWith('Running pod sandbox: ')) push({ rpc: 'RunPodSandbox', phase: 'start' });
      else if (msg.startsWith('Ran pod sandbox ')) push({ rpc: 'RunPodSandbox', phase: 'end' });
      else if ((m = msg.match(/^Pulling image: (\S+)$/))) {
        byRequest.set(rid, { image: m[1] });
        push({ rpc: 'PullImage', phase: 'start', image: m[1] });
      } else if (msg.startsWith('Pulled image: ')) {
        const image = byRequest.get(rid)?.image;
        push({ rpc: 'PullImage', phase: 'end', ...(image ? { image } : {}) });
      } else if (msg.startsWith('Creating container: ') && desc) {
        const attempt = crioAttempts.get(desc.container) ?? 0;
        crioAttempts.set(desc.container, attempt + 1);
        byRequest.set(rid, { container: desc.container, attempt });
        push({ rpc: 'CreateContainer', phase: 'start', container: desc.container, attempt });
      } else if ((m = msg.match(/^Created container (\S+): /)) && desc) {
        const c = byRequest.get(rid) ?? { container: desc.container, attempt: 0 };
        byContainerId.set(m[1]!, { container: c.container ?? desc.container, attempt: c.attempt ?? 0 });
        push({ rpc: 'CreateContainer', phase: 'end', containerId: m[1], ...byContainerId.get(m[1]!) });
      } else if ((m = msg.match(/^Starting container: (\S+)$/))) {
        push({ rpc: 'StartContainer', phase: 'start', containerId: m[1], ...byContainerId.get(m[1]!) });
      } else if (/^Started container\b/.test(msg)) {
        const id = fields.get('containerID');
        push({ rpc: 'StartContainer', phase: 'end', ...(id ? { containerId: id, ...byContainerId.get(id) } : {}) });
      }
      continue;
    }
    if (containerdSandboxMeta(msg)) {
      const phase = / returns sandbox id "/.test(msg) ? 'end' : / failed(, error)?$/.test(msg) ? 'failed' : 'start';
      push({ rpc: 'RunPodSandbox', phase });
    } else if ((m = msg.match(/^PullImage "([^"]+)"(.*)$/))) {
      const rest = m[2] ?? '';
      const phase =
        rest === ''
          ? 'start'
          : rest.startsWith(' returns image reference')
            ? 'end'
            : rest === ' failed'
              ? 'failed'
              : undefined;
      if (phase) push({ rpc: 'PullImage', phase, image: m[1] });
    } else if ((m = msg.match(/^CreateContainer within sandbox "[0-9a-f]+" for (container )?(.*)$/))) {
      const rest = m[2] ?? '';
      const name = rest.match(/ContainerMetadata\{Name:([^,]*),/)?.[1] ?? rest.match(/(?:^|\s)name:"([^"]*)"/)?.[1];
      const attempt = Number(rest.match(/Attempt:(\d+)/)?.[1] ?? rest.match(/(?:^|\s)attempt:(\d+)/)?.[1] ?? 0);
      const id = rest.match(/ returns container id "([0-9a-f]{64})"$/)?.[1];
      if (name === undefined) continue;
      if (id) byContainerId.set(id, { container: name, attempt });
      const phase = m[1] ? 'start' : id ? 'end' : / failed$/.test(rest) ? 'failed' : undefined;
      if (phase) push({ rpc: 'CreateContainer', phase, container: name, attempt, ...(id ? { containerId: id } : {}) });
    } else if ((m = msg.match(/^StartContainer for "([0-9a-f]{64})"(.*)$/))) {
      const rest = m[2] ?? '';
      const phase =
        rest === '' ? 'start' : rest === ' returns successfully' ? 'end' : rest === ' failed' ? 'failed' : undefined;
      if (phase) push({ rpc: 'StartContainer', phase, containerId: m[1], ...byContainerId.get(m[1]!) });
    }
  }
  return out;
}

export interface RuntimePodIndexEntry {
  name: string;
  namespace: string;
  uid: string;
  sandboxIds: Set<string>;
  containerIds: Set<string>;
}

/** Every pod the runtime logged a sandbox for, by uid (CRI-O: by `ns/name` when no uid is logged). */
export function indexRuntimePods(lines: string[]): Map<string, RuntimePodIndexEntry> {
  const byUid = new Map<string, RuntimePodIndexEntry>();
  const bySandbox = new Map<string, RuntimePodIndexEntry>();
  const entry = (name: string, namespace: string, uid: string): RuntimePodIndexEntry => {
    let e = byUid.get(uid);
    if (!e) byUid.set(uid, (e = { name, namespace, uid, sandboxIds: new Set(), containerIds: new Set() }));
    return e;
  };
  for (const line of lines) {
    const m = runtimeMsg(line) ?? '';
    const meta = containerdSandboxMeta(m);
    if (meta) {
      const e = entry(meta.name, meta.namespace, meta.uid);
      const sb = m.match(/returns sandbox id "([0-9a-f]{64})"/)?.[1];
      if (sb) {
        e.sandboxIds.add(sb);
        bySandbox.set(sb, e);
      }
      continue;
    }
    const cc = m.match(/^CreateContainer within sandbox "([0-9a-f]{64})" .* returns container id "([0-9a-f]{64})"/);
    if (cc?.[1] && cc[2]) {
      bySandbox.get(cc[1])?.containerIds.add(cc[2]);
      continue;
    }
    const fields = logrusFields(line);
    const desc = crioDescription(m, fields);
    const ran = m.match(/^Ran pod sandbox (\S+) with infra container: /)?.[1];
    if (ran && desc) entry(desc.pod, desc.namespace, `${desc.namespace}/${desc.pod}`).sandboxIds.add(ran);
    const created = m.match(/^Created container (\S+): /)?.[1];
    if (created && desc) entry(desc.pod, desc.namespace, `${desc.namespace}/${desc.pod}`).containerIds.add(created);
  }
  return byUid;
}
/** @deprecated name from before CRI-O: the same as indexRuntimePods. */
export const indexContainerdPods = indexRuntimePods;

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
