// The API VS Code injects into every webview (acquireVsCodeApi may be called once per page load).
// Typed here so the webview code never touches an untyped global.

interface VsCodeWebviewApi<State = unknown> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState<T extends State>(state: T): T;
}

declare function acquireVsCodeApi<State = unknown>(): VsCodeWebviewApi<State>;
