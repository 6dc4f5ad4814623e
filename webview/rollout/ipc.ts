// The rollout page's end of its protocol (src/protocol/rollout.ts) and its saved view state (the sort
// order, the scroll position and which rollout it shows, so that VS Code's restore after a window
// reload can name it; never the report: the host keeps it and sends it on `webview/ready`).

import { isRecord } from '../../src/core/guards.js';
import { parseHostToRollout, type HostToRollout, type RolloutToHost } from '../../src/protocol/rollout.js';
import { isId } from '../../src/protocol/webview.js';
import { createStateIpc, type StateIpc } from '../shared/ipc.js';
import { DEFAULT_SORT, isSortKey, type SortOrder } from './format.js';

export interface RolloutState {
  readonly lastSeq: number | null;
  readonly sort: SortOrder;
  readonly scrollTop: number;
  readonly rolloutId: string | null;
}

export type RolloutIpc = StateIpc<RolloutState, HostToRollout, RolloutToHost>;

/** Saved state from an older build may be missing fields or hold junk: keep what is well-typed. */
export function sanitizeState(raw: unknown): RolloutState {
  if (!isRecord(raw)) return { lastSeq: null, sort: DEFAULT_SORT, scrollTop: 0, rolloutId: null };
  const s = raw.sort;
  const sort =
    isRecord(s) && isSortKey(s.key) && typeof s.desc === 'boolean' ? { key: s.key, desc: s.desc } : DEFAULT_SORT;
  return {
    lastSeq: typeof raw.lastSeq === 'number' && Number.isInteger(raw.lastSeq) ? raw.lastSeq : null,
    sort,
    scrollTop: typeof raw.scrollTop === 'number' && Number.isFinite(raw.scrollTop) ? Math.max(0, raw.scrollTop) : 0,
    rolloutId: isId(raw.rolloutId) ? raw.rolloutId : null,
  };
}

export function createRolloutIpc(): RolloutIpc {
  return createStateIpc<RolloutState, HostToRollout, RolloutToHost>(sanitizeState, parseHostToRollout);
}
