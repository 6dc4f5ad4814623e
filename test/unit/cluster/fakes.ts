// Pieces the cluster-layer, CLI and editor unit tests share: the Pod manifest they trace, and target
// resolution on a fake connection (the real rule, without a kubeconfig file or a cluster).

import type { Connection } from '../../../src/cluster/kubeconfig.js';
import {
  resolveTargetOn,
  type ResolveOptions,
  type ResolvedTarget,
  type TraceTarget,
} from '../../../src/cluster/target.js';

/** Pod "hello"; its image is on line 8. */
export const HELLO_POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
    - name: app
      image: busybox:1.36
`;

/** Context "dev" (or the one asked for) at https://10.0.0.1:6443; namespace: the one asked for, else `default`. */
export function fakeConnection(o: ResolveOptions = {}): Connection {
  return {
    context: o.context ?? 'dev',
    server: 'https://10.0.0.1:6443',
    namespace: o.namespace || 'default',
    cluster: 'c',
    files: [],
    kc: {},
  } as unknown as Connection;
}

/** `resolveTarget` on a fake connection (a pod target's own context and namespace are not looked at). */
export function resolveOnFake(target: TraceTarget, o: ResolveOptions = {}): ResolvedTarget {
  return resolveTargetOn(fakeConnection(o), target, o.workloadPods);
}
