// A list-then-watch that never loses a change: it resumes from the last resourceVersion when the
// server ends the stream (timeoutSeconds, apiserver restart, cut TCP), relists on 410 Gone, and backs
// off on errors. Duplicates after a relist are harmless: the trace engine keys evidence by
// resourceVersion/uid.

import { ClusterError } from './errors.js';
import { requestJson, streamLines } from './http.js';
import type { Connection } from './kubeconfig.js';
import { errorText } from '../core/guards.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchOptions {
  readonly conn: Connection;
  /** Collection path, e.g. /api/v1/namespaces/default/pods */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  /** For messages: e.g. { verb: 'watch', resource: 'pods', namespace } */
  readonly resource: string;
  readonly namespace?: string | null;
  readonly onObject: (type: WatchEventType, obj: Record<string, unknown>, receivedAtMs: number) => void;
  /** Connection state changes, for the output channel and disturbance notes. */
  readonly onState?: (state: 'listed' | 'watching' | 'resumed' | 'relisted' | 'retrying', detail: string) => void;
  /** A fatal error (401/403/404 on the collection): the watch has stopped. */
  readonly onFatal?: (err: ClusterError) => void;
  /** Server-side timeout for one watch request; the watch is resumed after it. */
  readonly timeoutSeconds?: number;
  readonly now?: () => number;
}

export interface WatchStats {
  lists: number;
  watches: number;
  resumes: number;
  relists: number;
  errors: number;
}

const FATAL = new Set(['unauthorized', 'forbidden', 'not-found', 'invalid', 'bad-kubeconfig']);

export class ResumableWatch {
  readonly stats: WatchStats = { lists: 0, watches: 0, resumes: 0, relists: 0, errors: 0 };
  private rv = '';
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly o: WatchOptions) {}

  /** Lists (so current state arrives first), then watches in the background. Rejects if the list fails. */
  async start(): Promise<void> {
    await this.list(false);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
    await this.loop?.catch(() => undefined);
  }

  get resourceVersion(): string {
    return this.rv;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private query(
    extra: Record<string, string | number | boolean | undefined>,
  ): Record<string, string | number | boolean | undefined> {
    return { fieldSelector: this.o.fieldSelector, labelSelector: this.o.labelSelector, ...extra };
  }

  private async list(relist: boolean): Promise<void> {
    this.stats.lists++;
    if (relist) this.stats.relists++;
    const list = await requestJson<{ metadata?: { resourceVersion?: string }; items?: Record<string, unknown>[] }>(
      this.o.conn,
      {
        method: 'GET',
        path: this.o.path,
        query: this.query({}),
        describe: { verb: 'list', resource: this.o.resource, namespace: this.o.namespace ?? null },
        signal: this.abort.signal,
      },
    );
    const at = this.now();
    for (const item of list.items ?? []) this.o.onObject(relist ? 'MODIFIED' : 'ADDED', withoutManagedFields(item), at);
    this.rv = list.metadata?.resourceVersion ?? '';
    this.o.onState?.(
      relist ? 'relisted' : 'listed',
      `${list.items?.length ?? 0} item(s) at resourceVersion ${this.rv}`,
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  private async run(): Promise<void> {
    let backoff = 250;
    let first = true;
    while (!this.stopped) {
      // When this attempt's stream was established, and whether it delivered anything (back-off below).
      let openedAt: number | null = null;
      let lines = 0;
      try {
        let gone = false;
        this.stats.watches++;
        if (!first) this.stats.resumes++;
        this.o.onState?.(first ? 'watching' : 'resumed', `from resourceVersion ${this.rv}`);
        first = false;
        await streamLines(
          this.o.conn,
          {
            method: 'GET',
            path: this.o.path,
            query: this.query({
              watch: 1,
              resourceVersion: this.rv || undefined,
              allowWatchBookmarks: true,
              timeoutSeconds: this.o.timeoutSeconds ?? 240 + Math.floor(Math.random() * 60),
            }),
            describe: { verb: 'watch', resource: this.o.resource, namespace: this.o.namespace ?? null },
            signal: this.abort.signal,
          },
          (line) => {
            lines++;
            const at = this.now();
            let ev: { type?: string; object?: Record<string, unknown> };
            try {
              ev = JSON.parse(line) as typeof ev;
            } catch {
              return;
            }
            const obj = ev.object;
            if (!obj || typeof obj !== 'object') return;
            const rv = (obj.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
            if (ev.type === 'BOOKMARK') {
              if (rv) this.rv = rv;
              return;
            }
            if (ev.type === 'ERROR') {
              if ((obj as { code?: number }).code === 410) gone = true;
              return;
            }
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') {
              this.o.onObject(ev.type, withoutManagedFields(obj), at);
              if (rv) this.rv = rv;
            }
          },
          () => (openedAt = this.now()),
        );
        if (gone && !this.stopped) await this.list(true);
        // A stream the server ends at once with nothing in it (a misbehaving proxy, an apiserver
        // shutting down) is not a healthy watch: without a pause this loop re-requested it as fast as
        // the network allowed. Back off as for an error; a normal end (timeoutSeconds) resumes at once.
        if (!gone && lines === 0 && openedAt !== null && this.now() - openedAt < 1000 && !this.stopped) {
          this.o.onState?.('retrying', `the server ended the watch at once (retrying in ${backoff} ms)`);
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, 8000);
        } else {
          backoff = 250;
        }
      } catch (e) {
        if (this.stopped) return;
        const err = e instanceof ClusterError ? e : new ClusterError('server', errorText(e));
        this.stats.errors++;
        // A stream that had been established for a while and then broke (a cut connection, an
        // apiserver restart) starts a fresh back-off. Before, only a clean end reset it, so every
        // further cut of a long-lived watch doubled the pause: 250 ms, 0.5, 1, 2, 4, 8 s.
        if (openedAt !== null && this.now() - openedAt >= 1000) backoff = 250;
        if (err.kind === 'gone') {
          // Relist and resume at once; if the relist fails too, fall through to the back-off (a
          // failing relist used to loop straight back into the same 410 without a pause).
          if (
            await this.list(true).then(
              () => true,
              () => false,
            )
          )
            continue;
        }
        if (FATAL.has(err.kind)) {
          this.o.onFatal?.(err);
          return;
        }
        this.o.onState?.('retrying', `${err.message} (retrying in ${backoff} ms)`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 8000);
      }
    }
  }
}

/**
 * No part of Pod Birth reads managedFields, and they are a large part of every object received (about
 * a third of a pod's JSON): dropped on arrival, so the many versions of the pods a rollout's traces
 * hold, and the evidence they record, do not carry them.
 */
function withoutManagedFields(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = obj.metadata;
  if (meta && typeof meta === 'object' && 'managedFields' in meta)
    delete (meta as Record<string, unknown>).managedFields;
  return obj;
}
