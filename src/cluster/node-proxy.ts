// Reading the node through the apiserver's node proxy (GET only): the kubelet's log query, its plain
// /logs/ files, and its metrics. Whatever is not available becomes an explicit degraded note saying
// what the trace loses and how to enable it; it never fails a trace.

import type { TraceNote } from '../core/model.js';
import {
  explainLogAccess,
  parseKubeletConfigz,
  type KubeletLogConfig,
  type LogQueryAnswer,
} from '../core/node-log-access.js';
import { ClusterError } from './errors.js';
import { request, requestJson, streamLines } from './http.js';
import type { Connection } from './kubeconfig.js';
import { mayI } from './access-review.js';

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
export function canGetNodeProxy(conn: Connection, node: string): Promise<boolean> {
  return mayI(conn, { verb: 'get', resource: 'nodes', subresource: 'proxy', name: node });
}

/** How the runtime log is read: the kubelet's log query, a file it serves, a debug pod on the node, or not at all. */
export type LogMode = 'log-query' | 'log-file' | 'node-debug' | 'none';

export interface NodeLogRead {
  readonly mode: LogMode;
  readonly text: string;
  /** Set when the best mode is not available. */
  readonly note: TraceNote | null;
}

/**
 * How the kubelet answered a log query, judged from the body (errors often come back with 200) and,
 * when given, the content type: a stock kubelet answers `?query=` with 200 `text/html`, a listing of
 * /var/log (measured on 1.34 and 1.37, docs/local-cluster.md).
 */
export function classifyLogQueryBody(
  body: string,
  contentType?: string,
): 'lines' | 'listing' | 'file-backed' | 'unavailable' {
  const head = body.slice(0, 512).trimStart();
  if (/^text\/html/i.test(contentType ?? '') || /^<pre>|^<!doctype html|^<html/i.test(head)) return 'listing';
  if (/options present and query resolved to log files/i.test(head)) return 'file-backed';
  if (/^error: journal output not available|^log not found for|^failed to|^unable to/i.test(head)) return 'unavailable';
  return 'lines';
}

/**
 * The kubelet's live log settings (`GET nodes/NODE/proxy/configz`; the same `get nodes/proxy` right
 * as the log query), or why they could not be read.
 */
export async function readKubeletLogConfig(
  conn: Connection,
  node: string,
): Promise<KubeletLogConfig | { unreadable: string }> {
  try {
    const r = await request(conn, {
      method: 'GET',
      path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/configz`,
      describe: { verb: 'get', resource: 'nodes/proxy' },
      timeoutMs: 15_000,
    });
    return parseKubeletConfigz(r.body) ?? { unreadable: `not a kubelet configuration (${r.body.slice(0, 60)})` };
  } catch (e) {
    if (e instanceof ClusterError) return { unreadable: e.kind === 'forbidden' ? '403 Forbidden' : e.kind };
    return { unreadable: e instanceof Error ? e.message : String(e) };
  }
}

/** The note for a user who may not get nodes/proxy: the same words wherever it is found out. */
export function nodeProxyForbiddenNote(node: string, kubeletVersion: string | null): TraceNote {
  const x = explainLogAccess({
    node,
    service: 'containerd',
    kubeletVersion,
    answer: { kind: 'forbidden' },
    config: { unreadable: '403 Forbidden' },
    fileFallback: null,
  });
  return { kind: 'degraded', source: 'runtime-log', message: x.message, remedy: x.remedy };
}

export class NodeLogReader {
  /** The best mode that answered (null until the first read). */
  mode: LogMode | null = null;
  private fileName = '';
  /** How the log query answered when it gave no lines (kept for the note's "why"). */
  private answer: LogQueryAnswer | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly node: string,
    private readonly service: 'containerd' | 'crio',
    private readonly kubeletVersion: string | null = null,
  ) {}

  /** Why the log query gave no lines, with the kubelet's own configuration where it is readable. */
  private async explain(fileFallback: string | null): Promise<TraceNote> {
    const config = await readKubeletLogConfig(this.conn, this.node);
    const x = explainLogAccess({
      node: this.node,
      service: this.service,
      kubeletVersion: this.kubeletVersion,
      answer: this.answer ?? { kind: 'unavailable', detail: 'no answer' },
      config,
      fileFallback,
    });
    return { kind: 'degraded', source: 'runtime-log', message: x.message, remedy: x.remedy };
  }

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
        const contentType = r.headers['content-type'];
        const kind = classifyLogQueryBody(r.body, typeof contentType === 'string' ? contentType : undefined);
        if (kind === 'lines') {
          this.mode = 'log-query';
          return { mode: 'log-query', text: r.body, note: null };
        }
        this.answer = kind === 'unavailable' ? { kind, detail: r.body.slice(0, 200).trim() } : { kind };
        this.mode = null;
      } catch (e) {
        if (e instanceof ClusterError && e.kind === 'forbidden') {
          this.mode = 'none';
          return { mode: 'none', text: '', note: nodeProxyForbiddenNote(this.node, this.kubeletVersion) };
        }
        if (!(e instanceof ClusterError) || (e.kind !== 'not-found' && e.kind !== 'server' && e.kind !== 'invalid'))
          throw e;
        this.answer = { kind: 'unavailable', detail: e.message };
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
            note: firstTime ? await this.explain(name) : null,
          };
        }
      } catch (e) {
        if (e instanceof ClusterError && e.kind === 'forbidden') break;
      }
    }
    this.mode = 'none';
    return { mode: 'none', text: '', note: await this.explain(null) };
  }
}

/**
 * Kubelet log lines (SyncLoop ADD, startup duration, PLEG) that contain `text` (a pod's `namespace/name`,
 * or `namespace/` for all its pods), via the log query only; empty when the query is not usable.
 */
export async function readKubeletLog(conn: Connection, node: string, since: Date, text: string): Promise<string> {
  const sinceTime = new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    const r = await request(conn, {
      method: 'GET',
      path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/logs/`,
      query: {
        query: 'kubelet',
        sinceTime,
        pattern: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
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
