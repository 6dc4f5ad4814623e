// The traces of this window, running and finished: what the timeline view lists, what the status bar
// and the language server follow. Free of `vscode` so the host logic around it is unit-tested.

import type { Trace } from '../core/model.js';

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

/**
 * How often a diagram panel gets a live trace's latest state. Short: the webview throttles its own
 * renders to its render time (webview/diagram/main.ts), so a longer window here only added latency
 * (the bench measured 150 ms windows as a third of the change → diagram delay).
 */
export const DIAGRAM_COALESCE_MS = 50;

/**
 * Calls `fn` at most every `ms` per key with the latest value: live traces change many times a
 * second, while the timeline, the language server and the diagram only need the latest state. The
 * first change after a quiet spell goes out at once (no added latency); changes within `ms` of it
 * are folded into one trailing call.
 */
export function coalesce<T>(
  ms: number,
  fn: (key: string, value: T) => void,
): { push(key: string, value: T): void; flush(): void; dispose(): void } {
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
      }, ms),
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
