// Why a node's runtime log cannot be read through the kubelet's Node Log Query, in words a user can
// act on: read from the kubelet's live configuration (`/configz` through the node proxy) where it
// was readable, else from the kubelet version's defaults, never guessed silently. The same text is
// the trace note every surface shows (CLI text and JSON, diagram, timeline).
//
// Facts (kubernetes/website feature-gates/NodeLogQuery.md, kubelet config reference): the gate is
// alpha 1.27–1.29 and beta 1.30–1.35, off by default in both; GA (locked on) from 1.36.
// `enableSystemLogQuery` defaults to false in every version; `enableSystemLogHandler` to true.
// Without both, `/logs/` is a plain file server over /var/log that ignores `?query=` and answers
// 200 with an HTML directory listing. /configz lists only gates set explicitly, so an absent gate
// means "the version's default".

/** The log-related fields of the kubelet's `/configz` answer (`{"kubeletconfig": {...}}`). */
export interface KubeletLogConfig {
  readonly enableSystemLogHandler: boolean | null;
  readonly enableSystemLogQuery: boolean | null;
  /** `featureGates.NodeLogQuery` when set explicitly; null when the kubelet runs the default. */
  readonly nodeLogQueryGate: boolean | null;
}

/** Reads the log settings out of a `/configz` body; null when it is not a kubelet configuration. */
export function parseKubeletConfigz(body: string): KubeletLogConfig | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const kc = (parsed as { kubeletconfig?: unknown }).kubeletconfig;
  if (typeof kc !== 'object' || kc === null) return null;
  const rec = kc as Record<string, unknown>;
  const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
  const gates = rec['featureGates'];
  const gate =
    typeof gates === 'object' && gates !== null ? bool((gates as Record<string, unknown>)['NodeLogQuery']) : null;
  return {
    enableSystemLogHandler: bool(rec['enableSystemLogHandler']),
    enableSystemLogQuery: bool(rec['enableSystemLogQuery']),
    nodeLogQueryGate: gate,
  };
}

export type GateStage = 'absent' | 'alpha' | 'beta' | 'ga';

/** The NodeLogQuery gate of a kubelet version (`v1.34.12`), or null for a version that does not parse. */
export function nodeLogQueryGate(
  kubeletVersion: string | null,
): { stage: GateStage; defaultOn: boolean; minor: number } | null {
  const m = /^v?1\.(\d+)(?:\.|$)/.exec(kubeletVersion ?? '');
  if (!m) return null;
  const minor = Number(m[1]);
  if (minor < 27) return { stage: 'absent', defaultOn: false, minor };
  if (minor < 30) return { stage: 'alpha', defaultOn: false, minor };
  if (minor < 36) return { stage: 'beta', defaultOn: false, minor };
  return { stage: 'ga', defaultOn: true, minor };
}

/**
 * The KubeletConfiguration lines that turn Node Log Query on for that kubelet version: no gate line
 * where it is GA (setting a locked GA gate is refused by some kubelets and is noise for the rest).
 */
export function enableLogQuerySnippet(kubeletVersion: string | null, handlerOff = false): string[] {
  const gate = nodeLogQueryGate(kubeletVersion);
  const lines = handlerOff ? ['enableSystemLogHandler: true'] : [];
  lines.push('enableSystemLogQuery: true');
  if (gate?.stage !== 'ga') lines.push('featureGates: {NodeLogQuery: true}');
  return lines;
}

/** How the log query answered (see `classifyLogQueryBody` in the cluster layer). */
export type LogQueryAnswer =
  /** `get nodes/proxy` refused (403, or a SelfSubjectAccessReview said no). */
  | { readonly kind: 'forbidden' }
  /** 200 text/html: the kubelet's plain /var/log file server, the query ignored. */
  | { readonly kind: 'listing' }
  /** The query resolved to a file and refused its options (sinceTime, pattern…). */
  | { readonly kind: 'file-backed' }
  /** Another error text, or an HTTP error status. */
  | { readonly kind: 'unavailable'; readonly detail: string };

export interface LogAccessInput {
  readonly node: string;
  readonly service: 'containerd' | 'crio';
  readonly kubeletVersion: string | null;
  readonly answer: LogQueryAnswer;
  /** The kubelet's /configz, or why it could not be read. */
  readonly config: KubeletLogConfig | { readonly unreadable: string };
  /** Whether a plain runtime log file under /var/log still gave the lines. */
  readonly fileFallback: string | null;
}

export interface LogAccessExplanation {
  /** What could not be read and why, in one sentence per fact. */
  readonly message: string;
  /** What to change: the exact KubeletConfiguration lines, or the RBAC rule; and the debug pod alternative. */
  readonly remedy: string;
  /** The causes found, for tests and the JSON reader: `gate-off`, `system-log-query-off`, … */
  readonly causes: readonly LogAccessCause[];
}

export type LogAccessCause =
  | 'nodes-proxy-forbidden'
  | 'gate-off'
  | 'gate-absent'
  | 'system-log-handler-off'
  | 'system-log-query-off'
  | 'html-listing'
  | 'query-resolved-to-file'
  | 'query-error'
  | 'config-unreadable';

export const RBAC_NODE_PROXY_RULE = 'ClusterRole rule: apiGroups [""], resources ["nodes/proxy"], verbs ["get"]';

const DEBUG_POD_ALTERNATIVE =
  'Or read the node with a debug pod (CLI --node-debug; editor: "Read the node with a debug pod").';

/** The precision the CRI steps fall back to, said the same way every time. */
function fallbackPrecision(fileFallback: string | null): string {
  return fileFallback
    ? `CRI steps still have the runtime's own times (from /var/log/${fileFallback}, read whole and filtered here)`
    : 'sandbox, pull, create and start times come from events and pod status: whole seconds (precision s)';
}

export function explainLogAccess(i: LogAccessInput): LogAccessExplanation {
  const who = i.kubeletVersion ? `node ${i.node} (kubelet ${i.kubeletVersion})` : `node ${i.node}`;
  if (i.answer.kind === 'forbidden') {
    return {
      message: `Runtime logs of ${who} are not readable (no get on nodes/proxy): this user gets 403, so ${fallbackPrecision(null)}.`,
      remedy: `Grant get on nodes/proxy (${RBAC_NODE_PROXY_RULE}). This right reaches every kubelet API, so give it only to people who debug nodes. ${DEBUG_POD_ALTERNATIVE}`,
      causes: ['nodes-proxy-forbidden'],
    };
  }
  const causes: LogAccessCause[] = [];
  const why: string[] = [];
  const gate = nodeLogQueryGate(i.kubeletVersion);
  if ('unreadable' in i.config) {
    causes.push('config-unreadable');
    why.push(`its configuration could not be read (/configz: ${i.config.unreadable})`);
    if (gate && !gate.defaultOn)
      why.push(
        gate.stage === 'absent'
          ? `Node Log Query does not exist before 1.27`
          : `the NodeLogQuery gate is off by default in 1.${gate.minor} (${gate.stage})`,
      );
    why.push('enableSystemLogQuery is false unless set (every version)');
  } else {
    const c = i.config;
    const gateOn = c.nodeLogQueryGate ?? gate?.defaultOn ?? null;
    if (gate?.stage === 'absent') {
      causes.push('gate-absent');
      why.push(`Node Log Query does not exist before Kubernetes 1.27`);
    } else if (gateOn === false) {
      causes.push('gate-off');
      why.push(
        c.nodeLogQueryGate === false
          ? 'the NodeLogQuery feature gate is set to false'
          : `the NodeLogQuery feature gate is off (not set; its default in 1.${gate?.minor ?? '?'}, where it is ${gate?.stage ?? 'not GA'})`,
      );
    }
    if (c.enableSystemLogHandler === false) {
      causes.push('system-log-handler-off');
      why.push('enableSystemLogHandler is false');
    }
    if (c.enableSystemLogQuery !== true) {
      causes.push('system-log-query-off');
      why.push(`enableSystemLogQuery is ${c.enableSystemLogQuery === false ? 'false' : 'not set (default false)'}`);
    }
  }
  let answered: string;
  if (i.answer.kind === 'listing') {
    causes.push('html-listing');
    answered = 'the log query was answered with an HTML listing of /var/log (200 text/html), not log lines';
  } else if (i.answer.kind === 'file-backed') {
    causes.push('query-resolved-to-file');
    answered = `the query for ${i.service} resolved to a log file, which takes no sinceTime or pattern`;
  } else {
    causes.push('query-error');
    answered = `the log query failed: ${i.answer.detail.slice(0, 200)}`;
  }
  const from = 'unreadable' in i.config ? '' : " (read from the kubelet's /configz)";
  const reasons = why.length > 0 ? `${why.join('; ')}${from}` : `its configuration allows it${from}, yet`;
  const noFile = i.fileFallback ? '' : `, and no ${i.service} log file is served under /var/log`;
  const message = `Node Log Query is not usable on ${who}: ${reasons}; ${answered}${noFile}. So ${fallbackPrecision(i.fileFallback)}.`;
  const snippet = enableLogQuerySnippet(i.kubeletVersion, causes.includes('system-log-handler-off'))
    .map((l) => `\`${l}\``)
    .join(' and ');
  const remedy = `Add ${snippet} to the node's KubeletConfiguration and restart the kubelet${gate?.stage === 'ga' ? ' (NodeLogQuery is GA from 1.36: no feature gate line)' : ''}. ${DEBUG_POD_ALTERNATIVE}`;
  return { message, remedy, causes };
}
