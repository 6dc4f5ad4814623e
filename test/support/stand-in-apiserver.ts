// A plain-HTTP stand-in for the apiserver on loopback, for tests of the cluster layer's behaviour
// against answers a real cluster will not give on demand (every watch ended, 410s, slow node logs).

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnection, type Connection } from '../../src/cluster/kubeconfig.js';

export interface StandIn {
  readonly conn: Connection;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `handler` on a free loopback port, with a kubeconfig (token user, namespace default) pointing at it. */
export async function standInApiserver(handler: http.RequestListener): Promise<StandIn> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'pb-stand-in-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'u', namespace: 'default' } }],
      'current-context': 'fake',
    }),
  );
  return {
    conn: loadConnection({ kubeconfig }),
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
