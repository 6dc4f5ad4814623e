// The traces of this window, running and finished: what the timeline view lists, what the status bar
// and the language server follow, and what a window reload keeps (keepTraces: the workspace state,
// within a size cap). Free of `vscode` so the host logic around it is unit-tested.

import { isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';
import { isTrace } from '../protocol/webview.js';

/** Where the traced document lives, so a step can be revealed in it and the server can map it. */
export interface ManifestRef {
  readonly uri: string;
  readonly docIndex: number;
}

export interface TraceEntry {
  readonly id: string;
  readonly title: string;
  readonly manifest: ManifestRef | null;
  readonly startedAt: number;
  trace: Trace | null;
  live: boolean;
  /** How it ended (`ready`, `failed`, `timeout`, `stopped`, `deleted`, `replay`…); null while live. */
  outcome: string | null;
  /** Stops the live sources; absent for replays and finished traces. */
  stop: (() => Promise<void>) | null;
}

export type RegistryChange =
  { readonly type: 'updated'; readonly entry: TraceEntry } | { readonly type: 'removed'; readonly id: string };

export class TraceRegistry {
  private readonly entries = new Map<string, TraceEntry>();
  private readonly listeners = new Set<(c: RegistryChange) => void>();
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(init: { title: string; manifest: ManifestRef | null; stop?: () => Promise<void> }): TraceEntry {
    const id = `t${++this.counter}-${this.now().toString(36)}`;
    const entry: TraceEntry = {
      id,
      title: init.title,
      manifest: init.manifest,
      startedAt: this.now(),
      trace: null,
      live: true,
      outcome: null,
      stop: init.stop ?? null,
    };
    this.entries.set(id, entry);
    this.emit({ type: 'updated', entry });
    return entry;
  }

  /** Puts back a trace saved before a window reload, finished, under its old id (null: the id is taken). */
  restore(saved: SavedTrace): TraceEntry | null {
    if (this.entries.has(saved.id)) return null;
    const entry: TraceEntry = {
      id: saved.id,
      title: saved.title,
      manifest: saved.manifest,
      startedAt: saved.startedAt,
      trace: saved.trace,
      live: false,
      // Its watches ended with the old window.
      outcome: saved.outcome ?? INTERRUPTED,
      stop: null,
    };
    this.entries.set(entry.id, entry);
    this.emit({ type: 'updated', entry });
    return entry;
  }

  get(id: string): TraceEntry | undefined {
    return this.entries.get(id);
  }

  /** Newest first. */
  list(): TraceEntry[] {
    return [...this.entries.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  }

  running(): TraceEntry[] {
    return this.list().filter((e) => e.live);
  }

  update(id: string, trace: Trace): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.trace = trace;
    this.emit({ type: 'updated', entry: e });
  }

  finish(id: string, outcome: string, trace?: Trace): void {
    const e = this.entries.get(id);
    if (!e || !e.live) return;
    if (trace) e.trace = trace;
    e.live = false;
    e.outcome = outcome;
    e.stop = null;
    this.emit({ type: 'updated', entry: e });
  }

  /** Forgets a trace (stopping it first if it still runs). */
  async remove(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    await e.stop?.();
    this.entries.delete(id);
    this.emit({ type: 'removed', id });
  }

  /** Forgets every finished trace. */
  async clearFinished(): Promise<void> {
    for (const e of this.list()) if (!e.live) await this.remove(e.id);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((e) => e.stop?.()));
  }

  onChange(listener: (c: RegistryChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(c: RegistryChange): void {
    for (const l of this.listeners) l(c);
  }
}

/** The outcome of a trace that was still live when the window was reloaded. */
export const INTERRUPTED = 'interrupted';

/** One trace as the workspace state keeps it. */
export interface SavedTrace {
  readonly id: string;
  readonly title: string;
  readonly manifest: ManifestRef | null;
  readonly startedAt: number;
  /** null: it was live when saved. */
  readonly outcome: string | null;
  readonly trace: Trace;
}

/** VS Code's `Memento` (workspaceState), as much of it as keepTraces needs. */
export interface TraceMemento {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const SAVED_TRACES_KEY = 'podBirth.traces';

/**
 * What a window keeps over a reload: the newest traces, up to `traces` of them and `bytes` of JSON
 * (a trace of a 300-arrow birth is ~150 KB). Older ones are dropped, oldest first.
 */
export const SAVE_LIMITS = { traces: 20, bytes: 4 * 1024 * 1024 } as const;

/** Saves wait this long after a change: a live trace changes many times a second. */
export const SAVE_MS = 2000;

/** A saved manifest reference as read back: undefined when it is not one. */
export function manifestRef(x: unknown): ManifestRef | null | undefined {
  if (x === null) return null;
  return isRecord(x) && typeof x.uri === 'string' && typeof x.docIndex === 'number'
    ? { uri: x.uri, docIndex: x.docIndex }
    : undefined;
}

/** A saved entry as read back (a newer or older build may have written junk): null when it is not one. */
function savedTrace(x: unknown): SavedTrace | null {
  if (!isRecord(x) || typeof x.id !== 'string' || x.id === '' || typeof x.title !== 'string') return null;
  const manifest = manifestRef(x.manifest);
  if (manifest === undefined || typeof x.startedAt !== 'number' || !isTrace(x.trace)) return null;
  if (x.outcome !== null && typeof x.outcome !== 'string') return null;
  return { id: x.id, title: x.title, manifest, startedAt: x.startedAt, outcome: x.outcome, trace: x.trace };
}

/**
 * Restores the traces a window saved before a reload (finished: a trace that was live ends as
 * `interrupted`), then saves the window's traces whenever they change, at most every `ms`, newest
 * first within `limits`. Returns `flush` (save now) and `dispose` (stop saving).
 */
export function keepTraces(
  registry: TraceRegistry,
  memento: TraceMemento,
  limits: { readonly traces: number; readonly bytes: number } = SAVE_LIMITS,
  ms: number = SAVE_MS,
): { flush(): Promise<void>; dispose(): void } {
  const raw = memento.get(SAVED_TRACES_KEY);
  const saved = (Array.isArray(raw) ? raw : []).map(savedTrace).filter((t): t is SavedTrace => t !== null);
  for (const t of saved.reverse()) registry.restore(t);

  // A trace's JSON size, computed once per trace state (the registry replaces the object on each change).
  const sizes = new WeakMap<Trace, number>();
  const sizeOf = (t: Trace): number => {
    let n = sizes.get(t);
    if (n === undefined) {
      n = JSON.stringify(t).length;
      sizes.set(t, n);
    }
    return n;
  };
  const save = async (): Promise<void> => {
    const keep: SavedTrace[] = [];
    let bytes = 0;
    for (const e of registry.list()) {
      if (!e.trace || keep.length >= limits.traces) continue;
      const size = sizeOf(e.trace);
      if (bytes + size > limits.bytes) continue;
      bytes += size;
      const { id, title, manifest, startedAt, trace } = e;
      keep.push({ id, title, manifest, startedAt, outcome: e.live ? null : e.outcome, trace });
    }
    await memento.update(SAVED_TRACES_KEY, keep);
  };
  return saveOnChange(registry, save, ms);
}

/** What saveOnChange needs of a registry: its changes, each naming a live entry or a removal. */
export interface SavedRegistry {
  onChange(
    listener: (
      c: { readonly type: 'updated'; readonly entry: { readonly live: boolean } } | { readonly type: 'removed' },
    ) => void,
  ): { dispose(): void };
}

/**
 * Runs `save` when the registry changes, at most every `ms` while entries are live, at once when one
 * ends or goes (so what a reload finds is never a window old for an ended one). Returns `flush`
 * (save now) and `dispose` (stop saving). Shared by the traces and the rollouts a window keeps.
 */
export function saveOnChange(
  registry: SavedRegistry,
  save: () => Promise<void>,
  ms: number,
): { flush(): Promise<void>; dispose(): void } {
  const saver = coalesce<null>(ms, () => void save());
  const sub = registry.onChange((c) => {
    saver.push('all', null);
    if (c.type === 'removed' || !c.entry.live) saver.flush();
  });
  return {
    flush: async () => {
      saver.flush();
      await save();
    },
    dispose: () => {
      sub.dispose();
      saver.dispose();
    },
  };
}

/**
 * How often a diagram panel gets a live trace's latest state: one frame. The page draws at most once
 * per animation frame and only what changed (webview/diagram/live.ts), so a longer window only adds
 * latency (50 ms here was the largest part of change → arrow on screen once the page was fast); this
 * one bounds how many whole traces a burst posts.
 */
export const DIAGRAM_COALESCE_MS = 16;

/**
 * Calls `fn` at most every `ms` per key (a number, or the key's own) with the latest value: live traces change many times a
 * second, while the timeline, the language server and the diagram only need the latest state. The
 * first change after a quiet spell goes out at once (no added latency); changes within `ms` of it
 * are folded into one trailing call.
 */
export function coalesce<T>(
  ms: number | ((key: string) => number),
  fn: (key: string, value: T) => void,
): { push(key: string, value: T): void; flush(): void; dispose(): void } {
  const every = typeof ms === 'number' ? (): number => ms : ms;
  const pending = new Map<string, T>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const window = (key: string): void => {
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (!pending.has(key)) return;
        const v = pending.get(key) as T;
        pending.delete(key);
        fn(key, v);
        window(key);
      }, every(key)),
    );
  };
  return {
    push(key, value) {
      if (timers.has(key)) {
        pending.set(key, value);
        return;
      }
      fn(key, value);
      window(key);
    },
    flush() {
      for (const [key, v] of [...pending]) {
        pending.delete(key);
        fn(key, v);
      }
    },
    dispose() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      pending.clear();
    },
  };
}
