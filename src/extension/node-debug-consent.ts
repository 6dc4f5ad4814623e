// Node debug pods in the editor (docs/node-debug.md): off by default, allowed per kubeconfig context
// by the setting podBirth.nodeDebug.contexts; each debug pod is still confirmed by a modal naming
// node, namespace, context, image and privileges. When a trace's runtime log is not readable and the
// context is not allowed yet, the degraded note comes with the offer "Read the node with a debug pod",
// which asks (modal) and then adds the context to the setting.

import * as vscode from 'vscode';
import { nodeDebugPrivileges } from '../core/node-debug.js';

export const READ_WITH_DEBUG_POD = 'Read the node with a debug pod';

/** The modal before each debug pod: true only when the user chose "Create debug pod". */
export async function confirmNodeDebugPod(question: string, detail: string): Promise<boolean> {
  const create = 'Create debug pod';
  return (await vscode.window.showWarningMessage(question, { modal: true, detail }, create)) === create;
}

/**
 * The offer made with a degraded runtime-log note: asks (modal, naming what it means) and allows the
 * context in the user settings. The next trace in that context uses it (and still asks per pod).
 */
export async function offerNodeDebug(context: string, message: string): Promise<void> {
  const pick = await vscode.window.showWarningMessage(`Pod Birth: ${message}`, READ_WITH_DEBUG_POD);
  if (pick !== READ_WITH_DEBUG_POD) return;
  const c = vscode.workspace.getConfiguration('podBirth');
  const namespace = c.get<string>('nodeDebug.namespace') || "the trace's namespace";
  const image = c.get<string>('nodeDebug.image') || 'busybox:1.36';
  const allow = 'Allow for this context';
  const answer = await vscode.window.showWarningMessage(
    `Allow Pod Birth to read nodes of context "${context}" with a debug pod?`,
    {
      modal: true,
      detail: `When the node proxy gives no runtime log, Pod Birth creates one pod on the traced pod's node, in ${namespace}, with image ${image}. It needs ${nodeDebugPrivileges()}. It is deleted when the trace ends, and each one is confirmed before it is created. Needs create/get/delete on pods and get on pods/log there, and a namespace whose Pod Security level is privileged.`,
    },
    allow,
  );
  if (answer !== allow) return;
  const contexts = c.get<string[]>('nodeDebug.contexts', []);
  if (!contexts.includes(context))
    await c.update('nodeDebug.contexts', [...contexts, context], vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(
    `Pod Birth: debug pods allowed for context "${context}" (setting podBirth.nodeDebug.contexts). Trace again to read the node.`,
  );
}
