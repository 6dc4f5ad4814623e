// The one typed message protocol between the extension host and the webviews (diagram and timeline).
// No `vscode`, no DOM: compiled into both bundles. The host treats every webview message as untrusted
// input and validates it with `parseWebviewMessage`; unknown or malformed messages are dropped.
// The webview never receives credentials, kubeconfig data or secret values: only the Trace model.

import type { Trace } from '../core/model.js';

/** One trace of this window as the side-panel timeline shows it. */
export interface TimelineItem {
  /** Stable for the life of the window: the host's trace id. */
  readonly id: string;
  readonly title: string;
  readonly live: boolean;
  /** How a finished trace ended (`ready`, `failed`, `timeout`, `stopped`…); null while live. */
  readonly outcome: string | null;
  readonly trace: Trace;
}

export const PROTOCOL_VERSION = 1;

/** Host → webview. `seq` grows by one per message so the webview can detect a gap and resync. */
export type HostMessage =
  | {
      readonly type: 'trace/snapshot';
      readonly v: number;
      readonly seq: number;
      readonly trace: Trace;
      readonly title: string;
      readonly live: boolean;
    }
  | { readonly type: 'trace/reset'; readonly seq: number; readonly reason: string }
  | {
      readonly type: 'status/show';
      readonly seq: number;
      readonly level: 'info' | 'warning' | 'error';
      readonly text: string;
    }
  /** Timeline view: every trace of this window, newest first (a complete state, like a snapshot). */
  | {
      readonly type: 'timeline/update';
      readonly v: number;
      readonly seq: number;
      readonly traces: readonly TimelineItem[];
    };

/** Webview → host. */
export type WebviewMessage =
  | { readonly type: 'webview/ready'; readonly v: number; readonly lastSeq: number | null }
  | { readonly type: 'step/reveal'; readonly stepId: string }
  | { readonly type: 'export/request'; readonly format: 'mermaid' | 'markdown' | 'json' }
  | { readonly type: 'export/svg'; readonly svg: string }
  | { readonly type: 'render/done'; readonly seq: number; readonly ms: number; readonly arrows: number }
  /** Timeline view: open (or bring forward) the diagram of a trace. */
  | { readonly type: 'trace/focus'; readonly traceId: string };

const MAX_ID = 512;
const MAX_SVG = 16 * 1024 * 1024;

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates a message from a webview. Returns null for anything unknown or malformed. */
export function parseWebviewMessage(x: unknown): WebviewMessage | null {
  if (!isObj(x) || typeof x.type !== 'string') return null;
  switch (x.type) {
    case 'webview/ready':
      return typeof x.v === 'number' &&
        (x.lastSeq === null || (typeof x.lastSeq === 'number' && Number.isInteger(x.lastSeq)))
        ? { type: 'webview/ready', v: x.v, lastSeq: x.lastSeq as number | null }
        : null;
    case 'step/reveal':
      return typeof x.stepId === 'string' && x.stepId.length > 0 && x.stepId.length <= MAX_ID
        ? { type: 'step/reveal', stepId: x.stepId }
        : null;
    case 'export/request':
      return x.format === 'mermaid' || x.format === 'markdown' || x.format === 'json'
        ? { type: 'export/request', format: x.format }
        : null;
    case 'export/svg':
      return typeof x.svg === 'string' && x.svg.length <= MAX_SVG && x.svg.trimStart().startsWith('<svg')
        ? { type: 'export/svg', svg: x.svg }
        : null;
    case 'render/done':
      return typeof x.seq === 'number' &&
        typeof x.ms === 'number' &&
        typeof x.arrows === 'number' &&
        Number.isFinite(x.ms)
        ? { type: 'render/done', seq: x.seq, ms: x.ms, arrows: x.arrows }
        : null;
    case 'trace/focus':
      return typeof x.traceId === 'string' && x.traceId.length > 0 && x.traceId.length <= MAX_ID
        ? { type: 'trace/focus', traceId: x.traceId }
        : null;
    default:
      return null;
  }
}
