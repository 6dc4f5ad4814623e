// The rollouts of this window (every pod of a workload traced at once): what the rollout panels show,
// what the timeline's rollout section summarizes, and how a pod's own diagram is found. A rollout is
// one entry holding the latest report (not 1,000 trace entries: the pods' traces stay in the rollout
// worker process and only a pod the user opens becomes a trace of the window). Free of `vscode`,
// unit-tested.

import type { RolloutReport } from '../core/rollout/report.js';
import type { ManifestRef } from './trace-registry.js';

export interface RolloutEntry {
  readonly id: string;
  /** `Deployment ns/name`. */
  readonly title: string;
  /** Where it runs, e.g. `context kind-pb`. */
  readonly where: string;
  readonly manifest: ManifestRef | null;
  readonly startedAt: number;
  report: RolloutReport | null;
  live: boolean;
  /** Stops the tracer; null once finished. */
  stop: (() => void) | null;
  /**
   * Follows a pod in the tracer (its diagram's source): its events, the first being its trace now,
   * reach the opened diagram. False for a pod not traced; rejects once the tracer is gone.
   */
  readonly follow: (pod: string) => Promise<boolean>;
  /** Frees the tracer (the worker process that keeps the pods' traces after the end). */
  readonly dispose: () => void;
  /** Pods whose diagram was opened: pod name → the window's trace id. */
  readonly opened: Map<string, string>;
  /** Its pods' traces were freed (an older finished rollout): its report stays, its pods cannot be opened. */
  released: boolean;
  /** Put back after a window reload: its report only (its worker ended with the old window). */
  readonly restored: boolean;
}

/** What a window keeps of a rollout over a reload (rollout-keep.ts saves and reads it back). */
export interface SavedRollout {
  readonly id: string;
  readonly title: string;
  readonly where: string;
  readonly manifest: ManifestRef | null;
  readonly startedAt: number;
  /** It was still live when saved: the reload ended its tracing. */
  readonly interrupted: boolean;
  readonly report: RolloutReport;
  /** Pods whose diagram was opened → the window's trace id (those traces are kept by keepTraces). */
  readonly opened: readonly (readonly [string, string])[];
}

export type RolloutChange =
  { readonly type: 'updated'; readonly entry: RolloutEntry } | { readonly type: 'removed'; readonly id: string };

/**
 * A window keeps this many rollouts; the oldest finished one goes first (each keeps a worker process
 * holding up to 1,000 traces, so its pods can still be opened).
 */
export const MAX_ROLLOUTS = 5;

/** Finished rollouts whose pods can still be opened (each keeps its worker process). */
export const KEEP_TRACES = 2;

export class RolloutRegistry {
  private readonly entries = new Map<string, RolloutEntry>();
  private readonly listeners = new Set<(c: RolloutChange) => void>();
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(init: {
    title: string;
    where: string;
    manifest: ManifestRef | null;
    follow: (pod: string) => Promise<boolean>;
    stop: () => void;
    dispose: () => void;
  }): RolloutEntry {
    const id = `r${++this.counter}-${this.now().toString(36)}`;
    const entry: RolloutEntry = {
      id,
      title: init.title,
      where: init.where,
      manifest: init.manifest,
      startedAt: this.now(),
      report: null,
      live: true,
      stop: init.stop,
      follow: init.follow,
      dispose: init.dispose,
      opened: new Map(),
      released: false,
      restored: false,
    };
    this.entries.set(id, entry);
    this.prune();
    this.emit({ type: 'updated', entry });
    return entry;
  }

  /**
   * Puts back a rollout saved before a window reload, finished, under its old id (null: the id is
   * taken). Its pods' traces went with the old window's worker: only the pods opened before (their
   * traces kept by the window) open again.
   */
  restore(saved: SavedRollout): RolloutEntry | null {
    if (this.entries.has(saved.id)) return null;
    const entry: RolloutEntry = {
      id: saved.id,
      title: saved.title,
      where: saved.interrupted ? `${saved.where} · interrupted by a window reload` : saved.where,
      manifest: saved.manifest,
      startedAt: saved.startedAt,
      report: { ...saved.report, live: false },
      live: false,
      stop: null,
      follow: async () => false,
      dispose: () => undefined,
      opened: new Map(saved.opened),
      released: true,
      restored: true,
    };
    this.entries.set(entry.id, entry);
    this.prune();
    this.emit({ type: 'updated', entry });
    return entry;
  }

  get(id: string): RolloutEntry | undefined {
    return this.entries.get(id);
  }

  /** Newest first. */
  list(): RolloutEntry[] {
    return [...this.entries.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  }

  update(id: string, report: RolloutReport): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.report = report;
    this.emit({ type: 'updated', entry: e });
  }

  /** The rollout is no longer traced (its last report, not live, may come with it). */
  finish(id: string, report?: RolloutReport): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (report) e.report = report;
    if (!e.live && !report) return;
    e.live = false;
    e.stop = null;
    this.releaseOldTraces();
    this.emit({ type: 'updated', entry: e });
  }

  /**
   * Only the KEEP_TRACES newest finished rollouts keep their worker (and so their pods' diagrams):
   * an idle worker holds its pods' final traces, ~130 MB for 30 pods and ~220 MB for 300.
   */
  private releaseOldTraces(): void {
    const holding = this.list().filter((e) => !e.live && !e.released);
    for (const e of holding.slice(KEEP_TRACES)) {
      e.released = true;
      e.dispose();
    }
  }

  stopAll(): void {
    for (const e of this.entries.values()) e.stop?.();
  }

  /** The window closes: every rollout's tracer is freed. */
  disposeAll(): void {
    for (const e of this.entries.values()) if (!e.released) e.dispose();
  }

  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.stop?.();
    if (!e.released) e.dispose();
    this.entries.delete(id);
    this.emit({ type: 'removed', id });
  }

  clearFinished(): void {
    for (const e of this.list()) if (!e.live) this.remove(e.id);
  }

  onChange(listener: (c: RolloutChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private prune(): void {
    const finished = this.list().filter((e) => !e.live);
    let over = this.entries.size - MAX_ROLLOUTS;
    for (const e of finished.reverse()) {
      if (over-- <= 0) break;
      this.remove(e.id);
    }
  }

  private emit(c: RolloutChange): void {
    for (const l of this.listeners) l(c);
  }
}
