// VS Code now and then leaves a webview on its loading page after a window reload or restart: the
// webview's service worker does not serve the page's resources (microsoft/vscode#125993, #326956),
// the page's script never runs, and the view says "Loading timeline…" forever. A clean-clone CI run
// of the e2e suite caught it twice on the timeline after a reload. A page that has not said it is
// ready within a wait gets its HTML set again (a fresh document, and another try of the service
// worker), up to three times with longer waits (a slow machine loads slowly, not never); then the
// output channel says what to do. Free of `vscode`, unit-tested.

/** How long a visible page may take to say it is ready before it is loaded again, per attempt. */
export const PAGE_READY_WAITS_MS: readonly number[] = [5_000, 10_000, 20_000];

/**
 * A ready this recent already answers a loading(): a shown-again page can say it is ready before the
 * host hears the view became visible (two event streams, no order between them).
 */
export const READY_ANSWERS_LOADING_MS = 1_000;

export interface PageLoadOptions {
  /** Sets the page's HTML again (a fresh nonce is fine: it is a new document). */
  readonly reload: () => void;
  /** Whether the page is shown now: a hidden webview has no page to wait for. */
  readonly visible: () => boolean;
  /** Every wait spent and the page still not ready. */
  readonly gaveUp: () => void;
  /** Each reload, for the output channel. */
  readonly retried?: (attempt: number, waitedMs: number) => void;
  readonly waitsMs?: readonly number[];
  readonly now?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (t: unknown) => void;
}

export interface PageLoadWatch {
  /** The page said it is ready: nothing more to wait for until it is loaded again. */
  ready(): void;
  /**
   * A new page is on its way: the HTML was set, or a hidden webview (whose page VS Code discards)
   * was shown again. Starts waiting for its ready.
   */
  loading(): void;
  dispose(): void;
}

export function watchPageLoad(o: PageLoadOptions): PageLoadWatch {
  const waits = o.waitsMs ?? PAGE_READY_WAITS_MS;
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const now = o.now ?? Date.now;
  let timer: unknown = null;
  let readyAt = -Infinity;
  let attempt = 0;
  let disposed = false;

  const stop = (): void => {
    if (timer !== null) clearTimer(timer);
    timer = null;
  };
  const arm = (): void => {
    stop();
    if (disposed) return;
    const ms = waits[Math.min(attempt, waits.length - 1)] ?? 5_000;
    timer = setTimer(() => {
      timer = null;
      // Hidden meanwhile: VS Code loads the page again when it is shown (loading() is called then).
      if (!o.visible()) return;
      if (attempt >= waits.length) {
        o.gaveUp();
        return;
      }
      attempt++;
      o.retried?.(attempt, ms);
      o.reload();
      arm();
    }, ms);
  };
  return {
    ready: () => {
      stop();
      attempt = 0;
      readyAt = now();
    },
    loading: () => {
      if (now() - readyAt < READY_ANSWERS_LOADING_MS) return;
      arm();
    },
    dispose: () => {
      disposed = true;
      stop();
    },
  };
}
