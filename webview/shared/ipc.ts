// Typed wrapper over acquireVsCodeApi, one per page: it posts only the page's own messages (its
// protocol in src/protocol/<view>.ts), hands on only host messages that pass the page's check, and
// keeps only view state (never the trace: the host's trace store is the source of truth).

/** A page's end of its protocol: `S` its saved view state, `In` host → page, `Out` page → host. */
export interface StateIpc<S, In, Out> {
  post(message: Out): void;
  state(): S;
  update(patch: Partial<S>): S;
  onMessage(handler: (message: In) => void): void;
}

export function createStateIpc<S, In, Out>(
  sanitizeState: (raw: unknown) => S,
  parse: (x: unknown) => In | null,
): StateIpc<S, In, Out> {
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
