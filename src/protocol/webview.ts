// What the two webviews (diagram panel, side-panel timeline) share in their message protocols with
// the host: the protocol version, the ready handshake, the status line, and the checks these need.
// Each view's own messages are in its own file (diagram.ts, timeline.ts), as GitLens scopes a
// protocol per webview; a view's host and page import that file, so neither can post the other
// view's messages. No `vscode`, no DOM: compiled into the host and the page bundles.
//
// Every message is `{ type, ...fields }`; each type string is written once, as a constant here or in
// the view's file, and every message is a plain JSON object. Whoever receives a message validates it
// (the host treats pages as untrusted; a page still shape-checks the host) and copies only the
// declared fields: unknown or malformed messages are dropped. The pages never receive credentials,
// kubeconfig data or secret values: only the Trace model.

import { isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';

export const PROTOCOL_VERSION = 1;

/** Webview → host, once loaded and again after a gap in `seq`: "send me the current state". */
export const WEBVIEW_READY = 'webview/ready';
/** Host → webview: a status line over the view (`text` '' hides it). */
export const STATUS_SHOW = 'status/show';

export interface ReadyMessage {
  readonly type: typeof WEBVIEW_READY;
  readonly v: number;
  /** The last `seq` the page saw (kept in its saved state), null on a first load. */
  readonly lastSeq: number | null;
}

export type StatusLevel = 'info' | 'warning' | 'error';

export interface StatusMessage {
  readonly type: typeof STATUS_SHOW;
  /** Grows by one per host message, so the page can detect a gap and resync. */
  readonly seq: number;
  readonly level: StatusLevel;
  readonly text: string;
}

/** The longest step or trace id a page may send back. */
export const MAX_ID = 512;

/** A step or trace id as a page sends it back: a non-empty string of bounded length. */
export function isId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_ID;
}

/**
 * The host builds traces itself, so a page checks only the top-level shape it starts drawing from
 * (a deep check of every trace on every update would cost more than it guards).
 */
export function isTrace(x: unknown): x is Trace {
  return isRecord(x) && Array.isArray(x.steps) && isRecord(x.pod);
}

/**
 * One direction of one view's protocol: for every message type of `M` (the compiler wants them all),
 * the check of a message of that type (its type already matched), returning a fresh message of that
 * type with only the declared fields, or null.
 */
export type MessageChecks<M extends { readonly type: string }> = {
  readonly [T in M['type']]: (x: Record<string, unknown>) => Extract<M, { readonly type: T }> | null;
};

/** Validates a message against a view's checks; null for anything unknown or malformed. */
export function parseMessage<M extends { readonly type: string }>(raw: unknown, checks: MessageChecks<M>): M | null {
  if (!isRecord(raw) || typeof raw.type !== 'string') return null;
  // Own keys only: `constructor`, `__proto__` or `toString` are no message types.
  if (!Object.hasOwn(checks, raw.type)) return null;
  const check: (x: Record<string, unknown>) => M | null = checks[raw.type as M['type']];
  return check(raw);
}

function readyMessage(x: Record<string, unknown>): ReadyMessage | null {
  return typeof x.v === 'number' &&
    (x.lastSeq === null || (typeof x.lastSeq === 'number' && Number.isInteger(x.lastSeq)))
    ? { type: WEBVIEW_READY, v: x.v, lastSeq: x.lastSeq as number | null }
    : null;
}

function statusMessage(x: Record<string, unknown>): StatusMessage | null {
  return typeof x.seq === 'number' &&
    typeof x.text === 'string' &&
    (x.level === 'info' || x.level === 'warning' || x.level === 'error')
    ? { type: STATUS_SHOW, seq: x.seq, level: x.level, text: x.text }
    : null;
}

/** What every page sends the host; each view's checks add its own messages. */
export const SHARED_TO_HOST: MessageChecks<ReadyMessage> = { [WEBVIEW_READY]: readyMessage };
/** What the host sends every page; each view's checks add its own messages. */
export const SHARED_TO_PAGE: MessageChecks<StatusMessage> = { [STATUS_SHOW]: statusMessage };
