// Whether the current user may do one thing, asked of the apiserver (SelfSubjectAccessReview), so a
// missing permission is named before a request fails half-way (nodes/proxy, debug pods).

import { requestJson } from './http.js';
import type { Connection } from './kubeconfig.js';

export interface ResourceAttributes {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export async function mayI(conn: Connection, attributes: ResourceAttributes): Promise<boolean> {
  const r = await requestJson<{ status?: { allowed?: boolean } }>(conn, {
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: attributes },
    },
    describe: { verb: 'create', resource: 'selfsubjectaccessreviews' },
  });
  return r.status?.allowed === true;
}
