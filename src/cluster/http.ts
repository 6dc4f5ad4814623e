// Raw HTTP to the apiserver with the kubeconfig's TLS, auth and proxy settings (client-node's
// applyToHTTPSOptions), over node:http(s). Used for watches, node-proxy reads and server-side apply,
// where the generated client hides the error body or mangles paths.

import * as http from 'node:http';
import * as https from 'node:https';
import { createInterface } from 'node:readline';
import type { Connection } from './kubeconfig.js';
import { ClusterError, errorFromNetwork, errorFromResponse, type RequestDescription } from './errors.js';

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** For error messages: what is being done (verb + resource + namespace). */
  readonly describe: Omit<RequestDescription, 'context' | 'server'>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface Response {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** Called with every request made, for the output channel. Never receives headers or bodies. */
export type RequestLogger = (line: string) => void;
let logger: RequestLogger | null = null;
export function setRequestLogger(l: RequestLogger | null): void {
  logger = l;
}

export function buildUrl(conn: Connection, path: string, query?: RequestSpec['query']): URL {
  const url = new URL(conn.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

async function options(conn: Connection, url: URL, method: string, timeoutMs?: number): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = {};
  await conn.kc.applyToHTTPSOptions(opts);
  return {
    ...opts,
    method,
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || undefined,
    path: url.pathname + url.search,
    ...(url.protocol === 'http:' ? { agent: undefined } : {}),
    timeout: timeoutMs ?? 30_000,
  };
}

/** Opens a request and resolves with the response stream (status not yet checked). */
export async function open(
  conn: Connection,
  spec: RequestSpec,
): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  const url = buildUrl(conn, spec.path, spec.query);
  const opts = await options(conn, url, spec.method, spec.timeoutMs);
  const payload =
    spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  const headers: http.OutgoingHttpHeaders = {
    ...(opts.headers as http.OutgoingHttpHeaders | undefined),
    Accept: 'application/json, */*',
  };
  if (payload !== undefined) {
    headers['Content-Type'] = spec.contentType ?? 'application/json';
    headers['Content-Length'] = Buffer.byteLength(payload);
  }
  opts.headers = headers;
  logger?.(`${spec.method} ${url.pathname}${url.search}`);
  conn.onRequest?.(spec.method, url);
  const where = { context: conn.context, server: conn.server };
  return new Promise((resolveP, rejectP) => {
    const lib = url.protocol === 'http:' ? http : https;
    const req = lib.request(opts, (res) => resolveP({ res, req }));
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) =>
      rejectP(spec.signal?.aborted ? new ClusterError('timeout', 'aborted') : errorFromNetwork(e, where)),
    );
    const signal = spec.signal;
    if (signal) {
      if (signal.aborted) req.destroy();
      const onAbort = (): void => void req.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      // Long-lived watches reuse one signal for many requests: do not pile up listeners.
      req.on('close', () => signal.removeEventListener('abort', onAbort));
    }
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

async function readAll(res: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    const b = c as Buffer;
    size += b.length;
    if (size > maxBytes) {
      res.destroy();
      break;
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One request; non-2xx becomes a ClusterError. */
export async function request(conn: Connection, spec: RequestSpec, maxBytes = 64 * 1024 * 1024): Promise<Response> {
  const { res } = await open(conn, spec);
  const body = await readAll(res, maxBytes);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300)
    throw errorFromResponse(status, body, { ...spec.describe, context: conn.context, server: conn.server });
  return { status, body, headers: res.headers };
}

export async function requestJson<T>(conn: Connection, spec: RequestSpec): Promise<T> {
  const r = await request(conn, spec);
  try {
    return JSON.parse(r.body) as T;
  } catch {
    throw new ClusterError(
      'server',
      `The apiserver sent a response to ${spec.describe.verb} ${spec.describe.resource} that is not JSON.`,
    );
  }
}

/**
 * A streaming GET (watch): calls onLine for each line as it arrives. Resolves when the stream ends;
 * rejects with a ClusterError on a non-200 answer or a network error.
 */
export async function streamLines(
  conn: Connection,
  spec: RequestSpec,
  onLine: (line: string) => void,
  onOpen?: () => void,
): Promise<void> {
  const { res, req } = await open(conn, { ...spec, timeoutMs: spec.timeoutMs ?? 0 });
  const status = res.statusCode ?? 0;
  if (status !== 200) {
    const body = await readAll(res, 1024 * 1024);
    throw errorFromResponse(status, body, { ...spec.describe, context: conn.context, server: conn.server });
  }
  // The stream is established (watches reset their retry back-off on this, see watch.ts).
  onOpen?.();
  // A half-open TCP connection would otherwise hang forever: keep-alive probes notice it.
  req.socket?.setKeepAlive(true, 15_000);
  await new Promise<void>((resolveP, rejectP) => {
    const rl = createInterface({ input: res, crlfDelay: Infinity });
    rl.on('line', (l) => {
      if (l.length > 0) onLine(l);
    });
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      if (err && !spec.signal?.aborted) rejectP(errorFromNetwork(err, { context: conn.context, server: conn.server }));
      else resolveP();
    };
    rl.on('close', () => finish());
    rl.on('error', (e) => finish(e));
    res.on('error', (e) => finish(e));
    res.on('aborted', () => finish(new Error('stream aborted by the server')));
    req.on('error', (e) => finish(e));
  });
}
