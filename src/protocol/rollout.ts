// The rollout view's messages (host: src/extension/rollout-panel.ts, page: webview/rollout). The host
// sends the whole rollout report (a complete state, like the timeline's list) whenever it changes;
// the page posts back which pod's diagram to open and which export to make. Shared parts (version,
// ready, status line, checks): webview.ts.

import { isRecord } from '../core/guards.js';
import {
  ROLLOUT_PHASES,
  type PhaseStats,
  type RolloutApiCost,
  type RolloutMetric,
  type RolloutOutcome,
  type RolloutPhase,
  type RolloutPod,
  type RolloutReport,
} from '../core/rollout/report.js';
import {
  SHARED_TO_HOST,
  SHARED_TO_PAGE,
  isId,
  parseMessage,
  type MessageChecks,
  type ReadyMessage,
  type StatusMessage,
} from './webview.js';

/** Host → rollout page: the rollout's current report (complete). */
export const ROLLOUT_UPDATE = 'rollout/update';
/** Rollout page → host: open (or bring forward) the sequence diagram of one pod. */
export const ROLLOUT_OPEN_POD = 'rollout/openPod';
/** Rollout page → host: export the report (Markdown to the clipboard, CSV to a file). */
export const ROLLOUT_EXPORT = 'rollout/export';

export type RolloutExportFormat = 'markdown' | 'csv';

export interface RolloutUpdateMessage {
  readonly type: typeof ROLLOUT_UPDATE;
  readonly v: number;
  readonly seq: number;
  /** The host's id of this rollout (kept by the page so a reloaded panel can name it). */
  readonly rolloutId: string;
  /** Where it runs, e.g. "context kind-x" (shown under the title). */
  readonly where: string;
  readonly report: RolloutReport;
}

/** Host → rollout page. `seq` grows by one per message. */
export type HostToRollout = RolloutUpdateMessage | StatusMessage;

/** Rollout page → host. */
export type RolloutToHost =
  | ReadyMessage
  | { readonly type: typeof ROLLOUT_OPEN_POD; readonly pod: string }
  | { readonly type: typeof ROLLOUT_EXPORT; readonly format: RolloutExportFormat };

/** The ceiling for one rollout; a longer list is cut rather than drawn. */
export const MAX_ROLLOUT_PODS = 1000;
/** A DNS-1123 subdomain is at most 253 characters; longer text is cut for display. */
const MAX_TEXT = 1024;

const OUTCOMES: readonly RolloutOutcome[] = ['ready', 'running', 'pending', 'failed', 'deleted', 'succeeded'];
const METRICS: readonly RolloutMetric[] = [...ROLLOUT_PHASES, 'sloStartup', 'total'];

const FROM_ROLLOUT: MessageChecks<RolloutToHost> = {
  ...SHARED_TO_HOST,
  [ROLLOUT_OPEN_POD]: (x) => (isId(x.pod) ? { type: ROLLOUT_OPEN_POD, pod: x.pod } : null),
  [ROLLOUT_EXPORT]: (x) =>
    x.format === 'markdown' || x.format === 'csv' ? { type: ROLLOUT_EXPORT, format: x.format } : null,
};

const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const text = (x: unknown): string | null => (typeof x === 'string' ? x.slice(0, MAX_TEXT) : null);

function phasesOf(x: unknown): Partial<Record<RolloutPhase, number>> {
  const out: Partial<Record<RolloutPhase, number>> = {};
  if (!isRecord(x)) return out;
  for (const p of ROLLOUT_PHASES) {
    const v = x[p];
    if (isMs(v)) out[p] = v;
  }
  return out;
}

function spansOf(x: unknown): Partial<Record<RolloutPhase, readonly [number, number]>> | undefined {
  if (!isRecord(x)) return undefined;
  const out: Partial<Record<RolloutPhase, readonly [number, number]>> = {};
  for (const p of ROLLOUT_PHASES) {
    const v = x[p];
    if (Array.isArray(v) && v.length === 2 && isMs(v[0]) && isMs(v[1]) && v[1] >= v[0]) out[p] = [v[0], v[1]];
  }
  return out;
}

function apiCost(x: unknown): RolloutApiCost | undefined {
  if (!isRecord(x)) return undefined;
  const { requests, watchRequests, openWatches, nodeReads, pods } = x;
  return isMs(requests) && isMs(watchRequests) && isMs(openWatches) && isMs(nodeReads) && isMs(pods)
    ? { requests, watchRequests, openWatches, nodeReads, pods }
    : undefined;
}

/** A pod's reason (or what it recovered from): a diagnosis cause and its text. */
function causeText(x: unknown): { cause: string; text: string } | undefined {
  return isRecord(x) && typeof x.cause === 'string' && typeof x.text === 'string'
    ? { cause: x.cause.slice(0, MAX_TEXT), text: x.text.slice(0, MAX_TEXT) }
    : undefined;
}

/** One pod as the page draws it, only the declared fields; null when it is not one (dropped). */
function rolloutPod(x: unknown): RolloutPod | null {
  if (!isRecord(x)) return null;
  const name = text(x.name);
  if (!name || typeof x.uid !== 'string') return null;
  if (!OUTCOMES.includes(x.outcome as RolloutOutcome)) return null;
  const reason = causeText(x.reason);
  const recovered = causeText(x.recovered);
  const node = text(x.node);
  const spans = spansOf(x.spans);
  return {
    name,
    uid: x.uid.slice(0, MAX_TEXT),
    ...(node ? { node } : {}),
    phases: phasesOf(x.phases),
    ...(spans ? { spans } : {}),
    ...(isMs(x.sloStartupMs) ? { sloStartupMs: x.sloStartupMs } : {}),
    ...(isMs(x.totalMs) ? { totalMs: x.totalMs } : {}),
    outcome: x.outcome as RolloutOutcome,
    ...(reason ? { reason } : {}),
    ...(isMs(x.probeFailures) && Number.isInteger(x.probeFailures) && x.probeFailures > 0
      ? { probeFailures: x.probeFailures }
      : {}),
    ...(recovered ? { recovered } : {}),
    ...(isMs(x.createdAtMs) ? { createdAtMs: x.createdAtMs } : {}),
  };
}

function phaseStats(x: unknown): PhaseStats | null {
  if (!isRecord(x)) return null;
  const { count, p50, p90, p99, max } = x;
  return isMs(count) && isMs(p50) && isMs(p90) && isMs(p99) && isMs(max) ? { count, p50, p90, p99, max } : null;
}

/** The report as the page may draw it: every field checked, unknown fields dropped; null when it is not one. */
export function parseRolloutReport(x: unknown): RolloutReport | null {
  if (!isRecord(x) || !isRecord(x.workload) || !Array.isArray(x.pods) || !isRecord(x.slo)) return null;
  const w = x.workload;
  const kind = text(w.kind);
  const namespace = text(w.namespace);
  const name = text(w.name);
  if (kind === null || namespace === null || name === null) return null;
  const pods: RolloutPod[] = [];
  const seen = new Set<string>();
  for (const raw of x.pods.slice(0, MAX_ROLLOUT_PODS)) {
    const p = rolloutPod(raw);
    if (!p || seen.has(p.name)) continue;
    seen.add(p.name);
    pods.push(p);
  }
  const percentiles: Partial<Record<RolloutMetric, PhaseStats>> = {};
  if (isRecord(x.percentiles))
    for (const m of METRICS) {
      const s = phaseStats(x.percentiles[m]);
      if (s) percentiles[m] = s;
    }
  const s = x.slo;
  if (!isMs(s.thresholdMs)) return null;
  const slo = {
    thresholdMs: s.thresholdMs,
    p99Ms: isMs(s.p99Ms) ? s.p99Ms : null,
    met: typeof s.met === 'boolean' ? s.met : null,
  };
  const slowest = Array.isArray(x.slowest)
    ? x.slowest.filter((n): n is string => typeof n === 'string' && seen.has(n)).slice(0, 20)
    : [];
  const api = apiCost(x.api);
  return {
    workload: { kind, namespace, name },
    pods,
    percentiles,
    slo,
    slowest,
    live: x.live === true,
    ...(api ? { api } : {}),
  };
}

const TO_ROLLOUT: MessageChecks<HostToRollout> = {
  ...SHARED_TO_PAGE,
  [ROLLOUT_UPDATE]: (x) => {
    if (typeof x.seq !== 'number' || typeof x.v !== 'number' || !isId(x.rolloutId)) return null;
    const report = parseRolloutReport(x.report);
    if (!report) return null;
    const where = text(x.where) ?? '';
    return { type: ROLLOUT_UPDATE, v: x.v, seq: x.seq, rolloutId: x.rolloutId, where, report };
  },
};

/** The host's gate for what the rollout page sends: null for anything unknown or malformed. */
export function parseRolloutToHost(raw: unknown): RolloutToHost | null {
  return parseMessage(raw, FROM_ROLLOUT);
}

/** The page's check of what the host sends: trusted in origin, but still shape-checked. */
export function parseHostToRollout(raw: unknown): HostToRollout | null {
  return parseMessage(raw, TO_ROLLOUT);
}
