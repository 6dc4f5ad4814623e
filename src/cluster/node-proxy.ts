// Reading the node through the apiserver's node proxy (GET only): the kubelet's log query, its plain
// /logs/ files, and its metrics. Whatever is not available becomes an explicit degraded note saying
// what the trace loses and how to enable it; it never fails a trace.

import type { TraceNote } from '../core/model.js';
import { ClusterError } from './errors.js';
import { request, requestJson, streamLines } from './http.js';
import type { Connection } from './kubeconfig.js';

export interface NodeFacts {
  readonly name: string;
  readonly runtimeVersion: string | null;
  readonly kubeletVersion: string | null;
  readonly os: string | null;
}

export async function readNode(conn: Connection, name: string): Promise<NodeFacts | TraceNote> {
  try {
    const n = await requestJson<{
      status?: { nodeInfo?: { containerRuntimeVersion?: string; kubeletVersion?: string; operatingSystem?: string } };
    }>(conn, {
      method: 'GET',
      path: `/api/v1/nodes/${encodeURIComponent(name)}`,
      describe: { verb: 'get', resource: 'nodes' },
    });
    const info = n.status?.nodeInfo;
    return {
      name,
      runtimeVersion: info?.containerRuntimeVersion ?? null,
      kubeletVersion: info?.kubeletVersion ?? null,
      os: info?.operatingSystem ?? null,
    };
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'forbidden') {
      return {
        kind: 'degraded',
        source: 'metrics',
        message: 'The node object is not readable (no get on nodes), so the runtime is named from container IDs only.',
        remedy: 'Grant get on nodes (ClusterRole rule: apiGroups [""], resources ["nodes"], verbs ["get"]).',
      };
    }
    throw e;
  }
}

/** Asks the apiserver whether we may GET nodes/proxy on this node (SelfSubjectAccessReview). */
export async function canGetNodeProxy(conn: Connection, node: string): Promise<boolean> {
  const r = await requestJson<{ status?: { allowed?: boolean } }>(conn, {
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: node } },
    },
    describe: { verb: 'create', resource: 'selfsubjectaccessreviews' },
  });
  return r.status?.allowed === true;
}

export type LogMode = 'log-query' | 'log-file' | 'none';

export interface NodeLogRead {
  readonly mode: LogMode;
  readonly text: string;
  /** Set when the best mode is not available. */
  readonly note: TraceNote | null;
}

const ENABLE_LOG_QUERY =
  'On the node, set featureGates: {NodeLogQuery: true} and enableSystemLogQuery: true in the KubeletConfiguration and restart the kubelet (NodeLogQuery is beta and off by default before Kubernetes 1.36).';
const RBAC_NODE_PROXY =
  'Grant get on nodes/proxy (ClusterRole rule: apiGroups [""], resources ["nodes/proxy"], verbs ["get"]). This right is powerful (it reaches every kubelet API), so prefer a dedicated role for people who debug nodes.';

/** How the kubelet answered a log query, judged from the body (errors often come back with 200). */
export function classifyLogQueryBody(body: string): 'lines' | 'listing' | 'file-backed' | 'unavailable' {
  const head = body.slice(0, 512).trimStart();
  if (/^<pre>|^<!doctype html|^<html/i.test(head)) return 'listing';
  if (/options present and query resolved to log files/i.test(head)) return 'file-backed';
  if (/^error: journal output not available|^log not found for|^failed to|^unable to/i.test(head)) return 'unavailable';
  return 'lines';
}

export class NodeLogReader {
  /** The best mode that answered (null until the first read). */
  mode: LogMode | null = null;
  private fileName = '';

  constructor(
    private readonly conn: Connection,
    private readonly node: string,
    private readonly service: 'containerd' | 'crio',
  ) {}

  private base(): string {
    return `/api/v1/nodes/${encodeURIComponent(this.node)}/proxy/logs/`;
  }

  /**
   * Runtime log lines since `since`, using the best mode that answers: log query with sinceTime, else
   * the plain file under /var/log filtered client-side, else nothing (with a degraded note).
   */
  async read(since: Date): Promise<NodeLogRead> {
    if (this.mode === 'none') return { mode: 'none', text: '', note: null };
    const sinceTime = new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (this.mode === null || this.mode === 'log-query') {
      try {
        const r = await request(this.conn, {
          method: 'GET',
          path: this.base(),
          query: { query: this.service, sinceTime, tailLines: 100000 },
          describe: { verb: 'get', resource: 'nodes/proxy' },
          timeoutMs: 35_000,
        });
        const kind = classifyLogQueryBody(r.body);
        if (kind === 'lines') {
          this.mode = 'log-query';
          return { mode: 'log-query', text: r.body, note: null };
        }
        this.mode = null;
      } catch (e) {
        if (e instanceof ClusterError && e.kind === 'forbidden') {
          this.mode = 'none';
          return {
            mode: 'none',
            text: '',
            note: {
              kind: 'degraded',
              source: 'runtime-log',
              message: `Runtime logs of node ${this.node} are not readable (no get on nodes/proxy): sandbox, pull, create and start times are whole seconds from events and pod status.`,
              remedy: RBAC_NODE_PROXY,
            },
          };
        }
        if (!(e instanceof ClusterError) || (e.kind !== 'not-found' && e.kind !== 'server' && e.kind !== 'invalid'))
          throw e;
      }
    }
    // Fall back to the kubelet's plain file server under /var/log.
    for (const name of this.fileName
      ? [this.fileName]
      : [`${this.service}.log`, `${this.service}/${this.service}.log`, 'syslog', 'messages']) {
      try {
        const lines: string[] = [];
        await streamLines(
          this.conn,
          {
            method: 'GET',
            path: this.base() + name,
            describe: { verb: 'get', resource: 'nodes/proxy' },
            timeoutMs: 35_000,
          },
          (l) => {
            // Keep the service's lines only; the time filter happens after parsing.
            if (name.startsWith(this.service) || l.includes(this.service)) lines.push(l);
          },
        );
        if (lines.length > 0 && classifyLogQueryBody(lines.slice(0, 3).join('\n')) === 'lines') {
          const firstTime = this.mode === null;
          this.mode = 'log-file';
          this.fileName = name;
          return {
            mode: 'log-file',
            text: lines.join('\n'),
            note: firstTime
              ? {
                  kind: 'degraded',
                  source: 'runtime-log',
                  message: `The kubelet log query is off on node ${this.node}; runtime lines come from /var/log/${name}, read whole and filtered here (slower on busy nodes).`,
                  remedy: ENABLE_LOG_QUERY,
                }
              : null,
          };
        }
      } catch (e) {
        if (e instanceof ClusterError && e.kind === 'forbidden') break;
      }
    }
    this.mode = 'none';
    return {
      mode: 'none',
      text: '',
      note: {
        kind: 'degraded',
        source: 'runtime-log',
        message: `No runtime log is readable on node ${this.node} (log query off and no ${this.service} log file under /var/log): CRI steps have whole-second times from events.`,
        remedy: ENABLE_LOG_QUERY,
      },
    };
  }
}

/** Kubelet log lines about one pod (SyncLoop ADD, startup duration), via the log query only. */
export async function readKubeletLog(
  conn: Connection,
  node: string,
  since: Date,
  pod: { namespace: string; name: string },
): Promise<string> {
  const sinceTime = new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    const r = await request(conn, {
      method: 'GET',
      path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/logs/`,
      query: {
        query: 'kubelet',
        sinceTime,
        pattern: `${pod.namespace}/${pod.name}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        tailLines: 20000,
      },
      describe: { verb: 'get', resource: 'nodes/proxy' },
      timeoutMs: 35_000,
    });
    return classifyLogQueryBody(r.body) === 'lines' ? r.body : '';
  } catch {
    return '';
  }
}
