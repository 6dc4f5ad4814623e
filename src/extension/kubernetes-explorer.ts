// "Trace Pod Birth" on pod nodes of the Microsoft Kubernetes extension's Cluster Explorer, through its
// public API broker (component "clusterexplorer", version "v1"). Without that extension the command
// is never shown (its menu entry is scoped to the explorer's view id), and nothing here runs.

import * as vscode from 'vscode';

export const MS_KUBERNETES_EXTENSION_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

/** The parts of the explorer API we use (see vscode-kubernetes-tools-api, cluster-explorer/v1). */
interface ExplorerResourceNode {
  readonly nodeType: 'resource';
  readonly namespace: string | null;
  readonly name: string;
  readonly resourceKind: { readonly manifestKind: string };
}
interface ClusterExplorerV1 {
  resolveCommandTarget(target?: unknown): { readonly nodeType: string } | undefined;
}
interface ApiBroker {
  get(component: string, version: string): { available: true; api: unknown } | { available: false; reason: string };
}

export interface ExplorerPod {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | null;
}

/** The resource a Cluster Explorer right-click was on, or a message saying why there is none. */
export async function resolveExplorerTarget(target: unknown): Promise<ExplorerPod | string> {
  const ext = vscode.extensions.getExtension<ApiBroker>(MS_KUBERNETES_EXTENSION_ID);
  if (!ext) return 'the Kubernetes extension (ms-kubernetes-tools.vscode-kubernetes-tools) is not installed.';
  const broker = await ext.activate();
  const api = broker?.get?.('clusterexplorer', 'v1');
  if (!api || !api.available)
    return `the Kubernetes extension's Cluster Explorer API is not available (${api && !api.available ? api.reason : 'no API broker'}).`;
  const node = (api.api as ClusterExplorerV1).resolveCommandTarget(target);
  if (!node || node.nodeType !== 'resource') return 'run it on a pod in the Clusters view.';
  const r = node as ExplorerResourceNode;
  return { kind: r.resourceKind.manifestKind, name: r.name, namespace: r.namespace };
}
