// A routed stand-in apiserver for the cluster layer's unit tests (runner, session, watches, node
// reads): each request goes to `route`, which answers with a status and a JSON (or text) body, opens a
// watch stream the test can push events into, or falls through to a 404 Status. Every request is
// logged as `METHOD /path?query`.

import type * as http from 'node:http';
import type { Connection } from '../../../src/cluster/kubeconfig.js';
import { standInApiserver } from '../../support/stand-in-apiserver.js';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export type FakeAnswer = { readonly status: number; readonly body: unknown } | 'watch' | undefined;

export interface FakeApiserver {
  readonly conn: Connection;
  /** `METHOD /path?query` of every request, in arrival order. */
  readonly requests: string[];
  /** Sends a watch event to every open watch whose path ends with `pathEnd`. */
  push(pathEnd: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown): void;
  close(): Promise<void>;
}

/** A Kubernetes Status body for an error answer. */
export function status(code: number, message = 'no'): { status: number; body: unknown } {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message } };
}

export async function fakeApiserver(
  route: (r: FakeRequest) => FakeAnswer | Promise<FakeAnswer>,
): Promise<FakeApiserver> {
  const requests: string[] = [];
  const watches: { path: string; res: http.ServerResponse }[] = [];
  const server = await standInApiserver((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
      void Promise.resolve(
        route({
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      ).then((answer) => respond(url, res, answer));
    });
  });
  const respond = (url: URL, res: http.ServerResponse, answer: FakeAnswer): void => {
    if (answer === 'watch') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watches.push({ path: url.pathname, res });
      return;
    }
    const { status: code, body } = answer ?? status(404, `no route for ${url.pathname}`);
    res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  return {
    conn: server.conn,
    requests,
    push: (pathEnd, type, object) => {
      for (const w of watches)
        if (w.path.endsWith(pathEnd) && !w.res.writableEnded) w.res.write(`${JSON.stringify({ type, object })}\n`);
    },
    close: () => server.close(),
  };
}
