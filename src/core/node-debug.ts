// The node debug pod, as data: the pod Pod Birth creates on a node to read the runtime's own record
// when the node proxy's log query is not usable (docs/node-debug.md), the program it runs, and how its
// output (its container log) becomes lines the log parsers read. No network here: the cluster layer
// (src/cluster/node-debug.ts) creates, streams and deletes the pod.
//
// What the pod can do is what the pod spec says, so the spec is built in one place and reviewed in
// docs/node-debug.md: the host's root mounted read-only at /host, no privileged mode, no host PID,
// network or IPC, every capability dropped except SYS_CHROOT (to run the host's own journalctl on
// the host's files), no service account token, CPU and memory limits, and activeDeadlineSeconds so
// that the kubelet ends it even when Pod Birth is killed before it can delete it.

/** Labels every debug pod carries: how a later start finds the leftovers it owns. */
export const NODE_DEBUG_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  /** Who created it (`user@host`), so one user's cleanup never deletes another's running pod. */
  owner: 'pod-birth.dev/owner',
} as const;
export const NODE_DEBUG_MANAGED_BY = 'pod-birth';
export const NODE_DEBUG_COMPONENT = 'node-debug';
/** The annotation with the creating process (`host:pid`) and when it ends at the latest. */
export const NODE_DEBUG_PROCESS_ANNOTATION = 'pod-birth.dev/process';
export const NODE_DEBUG_CONTAINER = 'reader';
export const NODE_DEBUG_DEFAULT_IMAGE = 'busybox:1.36';
export const NODE_DEBUG_NAME_PREFIX = 'pod-birth-node-debug-';

export interface NodeDebugPodOptions {
  readonly node: string;
  readonly namespace: string;
  readonly image: string;
  /** The runtime's journal unit and log file name: `containerd` or `crio`. */
  readonly service: 'containerd' | 'crio';
  /** Read from this moment (seconds since the epoch, whole). */
  readonly sinceEpochSeconds: number;
  /** The pod ends itself after this many seconds (the backstop when Pod Birth cannot delete it). */
  readonly deadlineSeconds: number;
  /** `user@host`: a label value (sanitised here). */
  readonly owner: string;
  /** `host:pid`, an annotation. */
  readonly process: string;
}

/** What the pod needs, said to the user before it is created (modal, CLI confirmation, docs). */
export function nodeDebugPrivileges(): string {
  return "the host filesystem mounted read-only at /host (hostPath /), running as root with only the SYS_CHROOT capability (all others dropped), not privileged, no host network/PID/IPC, no service account token; it runs the node's own journalctl and reads the runtime's log, nothing else";
}

/** A label value: 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(s: string): string {
  const v = s
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v || 'unknown';
}

/**
 * The program the debug pod runs (busybox sh). It tells what it found on the first line
 * (`#pod-birth mode journal|file PATH|none REASON`), then streams: journal entries as journalctl's
 * JSON, one per line, or the log file's lines. It only reads: journalctl runs with the host's root as
 * its root (chroot to the read-only mount) and never writes (`--no-pager`, no cursor file); `-f`
 * keeps following until the pod is deleted or its deadline ends it.
 */
export function nodeDebugScript(service: 'containerd' | 'crio'): string {
  return [
    'set -u',
    `svc=${service}`,
    'since=$1',
    // The host's journalctl, if the node has journald with the runtime's unit in it (the kubelet asks the same question).
    'if chroot /host sh -c "command -v journalctl" >/dev/null 2>&1; then',
    '  if chroot /host journalctl --merge --no-pager --field _SYSTEMD_UNIT 2>/dev/null | grep -qx "$svc.service"; then',
    '    echo "#pod-birth mode journal"',
    '    exec chroot /host journalctl --merge --no-pager --output=json --follow --lines=all --since="@$since" --unit="$svc.service" --unit=kubelet.service',
    '  fi',
    'fi',
    // Else the runtime's own log file, where the node has one (what the kubelet would serve).
    'for f in /var/log/$svc.log /var/log/$svc/$svc.log; do',
    '  if [ -f "/host$f" ]; then echo "#pod-birth mode file $f"; exec tail -n 200000 -F "/host$f"; fi',
    'done',
    'echo "#pod-birth mode none: no $svc.service in the node\'s journal and no /var/log/$svc.log"',
    // Stay up until deleted, so the reader sees the answer rather than a terminated pod.
    'exec sleep 2147483647',
  ].join('\n');
}

/** A pod object (JSON for the apiserver). */
export interface NodeDebugPod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: {
    readonly generateName: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly spec: Readonly<Record<string, unknown>>;
}

export function nodeDebugPod(o: NodeDebugPodOptions): NodeDebugPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: NODE_DEBUG_NAME_PREFIX,
      namespace: o.namespace,
      labels: {
        [NODE_DEBUG_LABELS.managedBy]: NODE_DEBUG_MANAGED_BY,
        [NODE_DEBUG_LABELS.component]: NODE_DEBUG_COMPONENT,
        [NODE_DEBUG_LABELS.owner]: labelValue(o.owner),
      },
      annotations: {
        [NODE_DEBUG_PROCESS_ANNOTATION]: o.process,
        'pod-birth.dev/purpose': `reads ${o.service} and kubelet logs of node ${o.node} for a Pod Birth trace; read-only`,
      },
    },
    spec: {
      nodeName: o.node,
      restartPolicy: 'Never',
      activeDeadlineSeconds: Math.max(30, Math.ceil(o.deadlineSeconds)),
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      // Like `kubectl debug node`: the traced pod's node may carry taints; this pod is pinned, not scheduled.
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: NODE_DEBUG_CONTAINER,
          image: o.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', nodeDebugScript(o.service), 'pod-birth-node-debug', String(o.sinceEpochSeconds)],
          resources: {
            requests: { cpu: '10m', memory: '32Mi' },
            limits: { cpu: '250m', memory: '128Mi' },
          },
          securityContext: {
            runAsUser: 0,
            runAsNonRoot: false,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'], add: ['SYS_CHROOT'] },
          },
          volumeMounts: [
            // recursiveReadOnly: the host's submounts (/run, /var/lib/kubelet/...) read-only too where the
            // runtime supports it (containerd 2.x, CRI-O 1.30+); elsewhere the kubelet falls back to a plain
            // read-only bind (IfPossible), which is what docs/node-debug.md describes as the worst case.
            { name: 'host-root', mountPath: '/host', readOnly: true, recursiveReadOnly: 'IfPossible' },
          ],
        },
      ],
      volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
    },
  };
}

/** What the debug pod's first line said about the node. */
export type NodeDebugMode =
  | { readonly kind: 'journal' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'none'; readonly reason: string };

/** One line of the debug pod's output, sorted. */
export type NodeDebugLine =
  | { readonly type: 'mode'; readonly mode: NodeDebugMode }
  /** A runtime (or file) line in a shape the log parsers read; `unit` says whose it is. */
  | { readonly type: 'log'; readonly unit: 'runtime' | 'kubelet'; readonly line: string }
  /** Anything else the pod printed (journalctl's or the shell's own messages). */
  | { readonly type: 'other'; readonly text: string };

const MODE_RE = /^#pod-birth mode (journal|file (\S+)|none:? ?(.*))$/;

/**
 * Sorts one line of the debug pod's log. Journal entries (`journalctl -o json`) become the
 * `ISO-8601 host ident[pid]: MESSAGE` envelope the parsers read, with the journal's microsecond
 * receive time as the envelope's time (the runtime's own `time=` inside MESSAGE still wins).
 */
export function readNodeDebugLine(
  raw: string,
  mode: NodeDebugMode | null,
  service: 'containerd' | 'crio',
): NodeDebugLine[] {
  const line = raw.replace(/\r$/, '');
  const m = MODE_RE.exec(line);
  if (m) {
    const mode: NodeDebugMode =
      m[1] === 'journal'
        ? { kind: 'journal' }
        : m[2]
          ? { kind: 'file', path: m[2] }
          : { kind: 'none', reason: m[3] ?? '' };
    return [{ type: 'mode', mode }];
  }
  if (mode?.kind === 'file') return [{ type: 'log', unit: 'runtime', line }];
  if (mode?.kind === 'journal' && line.startsWith('{')) {
    const entry = journalEntry(line);
    if (!entry) return [{ type: 'other', text: line }];
    const unit = entry.unit === 'kubelet.service' || entry.ident === 'kubelet' ? 'kubelet' : 'runtime';
    if (unit === 'runtime' && entry.unit !== `${service}.service` && entry.ident !== service && entry.unit !== null)
      return [{ type: 'other', text: line }];
    const prefix = `${entry.time} ${entry.host} ${entry.ident ?? unit}${entry.pid ? `[${entry.pid}]` : ''}: `;
    return entry.message
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => ({ type: 'log' as const, unit, line: prefix + l }));
  }
  return [{ type: 'other', text: line }];
}

interface JournalEntry {
  /** ISO-8601 UTC with microseconds. */
  readonly time: string;
  readonly host: string;
  readonly ident: string | null;
  readonly pid: string | null;
  readonly unit: string | null;
  readonly message: string;
}

/** One `journalctl -o json` entry; MESSAGE may be a string or (non-UTF-8 text) an array of bytes. */
function journalEntry(line: string): JournalEntry | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  const str = (k: string): string | null => (typeof r[k] === 'string' ? (r[k] as string) : null);
  const us = str('__REALTIME_TIMESTAMP');
  if (!us || !/^\d{1,19}$/.test(us)) return null;
  const msg = r['MESSAGE'];
  const message =
    typeof msg === 'string'
      ? msg
      : Array.isArray(msg) && msg.every((b) => typeof b === 'number')
        ? new TextDecoder().decode(Uint8Array.from(msg as number[]))
        : null;
  if (message === null) return null;
  const micros = BigInt(us);
  const ms = Number(micros / 1000n);
  const frac = String(micros % 1_000_000n).padStart(6, '0');
  const time = new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
  return {
    time,
    host: (str('_HOSTNAME') ?? 'node').replace(/\s+/g, '_') || 'node',
    ident: str('SYSLOG_IDENTIFIER'),
    pid: str('_PID'),
    unit: str('_SYSTEMD_UNIT'),
    message,
  };
}
