// What a window keeps of its rollouts over a reload: each rollout's latest report, its title, where it
// ran, and which pods' diagrams were opened (those traces are kept by keepTraces). The pods' own
// traces are not kept: they lived in the rollout's worker process, which ends with the window. A
// rollout still live when saved comes back ended and says it was interrupted. Free of `vscode`,
// unit-tested.

import { isRecord } from '../core/guards.js';
import { parseRolloutReport } from '../protocol/rollout.js';
import { isId } from '../protocol/webview.js';
import type { RolloutRegistry, SavedRollout } from './rollout-registry.js';
import { manifestRef, saveOnChange, type TraceMemento } from './trace-registry.js';

export const SAVED_ROLLOUTS_KEY = 'podBirth.rollouts';

/**
 * At most this much JSON of reports (a finished 1,000-pod report is ~0.6 MB): newer rollouts first,
 * an older one that does not fit is not kept.
 */
export const ROLLOUT_SAVE_BYTES = 3 * 1024 * 1024;

/**
 * Saves wait this long after a change. A live rollout changes every report (up to 4 a second) and
 * its report is large; a reload loses at most this much of a rollout it interrupts anyway. A rollout
 * that ends (or goes) is saved at once.
 */
export const ROLLOUT_SAVE_MS = 5000;

/** A saved rollout as read back (another build may have written junk): null when it is not one. */
export function savedRollout(x: unknown): SavedRollout | null {
  if (!isRecord(x) || !isId(x.id) || typeof x.title !== 'string' || typeof x.where !== 'string') return null;
  const manifest = manifestRef(x.manifest);
  if (manifest === undefined || typeof x.startedAt !== 'number' || typeof x.interrupted !== 'boolean') return null;
  // The same check as the page's: every field of the report typed, unknown fields dropped.
  const report = parseRolloutReport(x.report);
  if (!report) return null;
  const opened = Array.isArray(x.opened)
    ? x.opened.filter((p): p is [string, string] => Array.isArray(p) && p.length === 2 && isId(p[0]) && isId(p[1]))
    : [];
  return {
    id: x.id,
    title: x.title,
    where: x.where,
    manifest,
    startedAt: x.startedAt,
    interrupted: x.interrupted,
    report,
    opened: opened.map(([pod, trace]) => [pod, trace] as const),
  };
}

/**
 * Restores the rollouts a window saved before a reload, then saves the window's rollouts whenever
 * they change (at most every `ms`, at once when one ends or goes), newest first within `bytes`.
 * Returns `flush` (save now) and `dispose` (stop saving).
 */
export function keepRollouts(
  registry: RolloutRegistry,
  memento: TraceMemento,
  bytes: number = ROLLOUT_SAVE_BYTES,
  ms: number = ROLLOUT_SAVE_MS,
): { flush(): Promise<void>; dispose(): void } {
  const raw = memento.get(SAVED_ROLLOUTS_KEY);
  const saved = (Array.isArray(raw) ? raw : []).map(savedRollout).filter((r): r is SavedRollout => r !== null);
  // Oldest first: the registry's own limit then drops the oldest, as it would have.
  for (const r of saved.reverse()) registry.restore(r);

  const save = async (): Promise<void> => {
    const keep: SavedRollout[] = [];
    let used = 0;
    for (const e of registry.list()) {
      if (!e.report) continue;
      const entry: SavedRollout = {
        id: e.id,
        title: e.title,
        where: e.where,
        manifest: e.manifest,
        startedAt: e.startedAt,
        interrupted: e.live,
        report: e.report,
        opened: [...e.opened],
      };
      const size = JSON.stringify(entry).length;
      if (used + size > bytes) continue;
      used += size;
      keep.push(entry);
    }
    await memento.update(SAVED_ROLLOUTS_KEY, keep);
  };
  return saveOnChange(registry, save, ms);
}
