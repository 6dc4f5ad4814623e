// Typed wrapper over acquireVsCodeApi: the webview posts only WebviewMessage values and keeps only
// view state (never the trace: the host's trace store is the source of truth).

import type { HostMessage, WebviewMessage } from '../../src/protocol/webview.js';

export interface ViewState {
  readonly lastSeq: number | null;
  readonly scrollX: number;
  readonly scrollY: number;
  readonly selectedStepId: string | null;
  readonly fit: boolean;
}

const DEFAULT_STATE: ViewState = { lastSeq: null, scrollX: 0, scrollY: 0, selectedStepId: null, fit: false };

export interface Ipc {
  post(message: WebviewMessage): void;
  state(): ViewState;
  update(patch: Partial<ViewState>): ViewState;
  onMessage(handler: (message: HostMessage) => void): void;
}

function num(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

/** Saved state from an older build may be missing fields or hold junk: keep what is well-typed. */
function sanitize(raw: unknown): ViewState {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_STATE;
  const r = raw as Record<string, unknown>;
  return {
    lastSeq: typeof r.lastSeq === 'number' && Number.isInteger(r.lastSeq) ? r.lastSeq : null,
    scrollX: num(r.scrollX, 0),
    scrollY: num(r.scrollY, 0),
    selectedStepId: typeof r.selectedStepId === 'string' ? r.selectedStepId : null,
    fit: r.fit === true,
  };
}

/** Host messages are trusted in origin but still shape-checked: anything without a known type is dropped. */
function isHostMessage(x: unknown): x is HostMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.seq !== 'number') return false;
  switch (m.type) {
    case 'trace/snapshot':
      return typeof m.trace === 'object' && m.trace !== null;
    case 'trace/reset':
      return typeof m.reason === 'string';
    case 'status/show':
      return typeof m.text === 'string';
    default:
      return false;
  }
}

/** The acquireVsCodeApi wrapper of every page: its own saved state and its own host-message filter. */
export interface StateIpc<S, M> {
  post(message: WebviewMessage): void;
  state(): S;
  update(patch: Partial<S>): S;
  onMessage(handler: (message: M) => void): void;
}

export function createStateIpc<S, M>(
  sanitizeState: (raw: unknown) => S,
  parse: (x: unknown) => M | null,
): StateIpc<S, M> {
  const api = acquireVsCodeApi<S>();
  let current = sanitizeState(api.getState());
  return {
    post: (message) => api.postMessage(message),
    state: () => current,
    update(patch) {
      current = { ...current, ...patch };
      api.setState(current);
      return current;
    },
    onMessage(handler) {
      window.addEventListener('message', (e: MessageEvent<unknown>) => {
        const m = parse(e.data);
        if (m !== null) handler(m);
      });
    },
  };
}

export function createIpc(): Ipc {
  return createStateIpc<ViewState, HostMessage>(sanitize, (x) => (isHostMessage(x) ? x : null));
}
