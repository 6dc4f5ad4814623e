// The trace flow's UI (trace-flow.ts `HostUi`) on VS Code: quick picks, the modal apply confirmation,
// notifications with cancellable progress, the output channel as its log.

import * as vscode from 'vscode';
import type { TraceMode } from '../cluster/index.js';
import { confirmNodeDebugPod, offerNodeDebug } from './node-debug-consent.js';
import type { HostUi, RolloutMode } from './trace-flow.js';

export function vscodeHostUi(output: vscode.LogOutputChannel): HostUi {
  return {
    isTrusted: () => vscode.workspace.isTrusted,
    pickMode: async (subject, canApply, rollout) => {
      const items: (vscode.QuickPickItem & { mode: TraceMode | RolloutMode })[] = [
        {
          label: 'Apply & trace',
          description: canApply
            ? 'create it on the cluster and watch it being born'
            : 'disabled: the workspace is not trusted',
          mode: 'apply',
        },
        {
          label: 'Attach to the existing pod',
          description: 'reconstruct its birth from what the cluster still has',
          mode: 'attach',
        },
        ...(rollout
          ? [
              {
                label: 'Apply & trace the whole rollout',
                description: canApply
                  ? 'every pod, with percentiles against the startup SLO (rollout view)'
                  : 'disabled: the workspace is not trusted',
                mode: 'rollout-apply' as const,
              },
              {
                label: 'Attach to the whole rollout',
                description: 'every existing pod, with percentiles against the startup SLO (rollout view)',
                mode: 'rollout-attach' as const,
              },
            ]
          : []),
      ];
      return (await vscode.window.showQuickPick(items, { title: `Trace ${subject}` }))?.mode ?? null;
    },
    confirmApply: async (question, detail) =>
      (await vscode.window.showWarningMessage(question, { modal: true, detail }, 'Apply')) === 'Apply',
    confirmNodeDebug: confirmNodeDebugPod,
    offerNodeDebug: (context, message) => void offerNodeDebug(context, message),
    error: (m) => void vscode.window.showErrorMessage(m),
    info: (m) => void vscode.window.showInformationMessage(m),
    withProgress: async (title, task) =>
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) =>
          task(
            (message) => progress.report({ message }),
            new Promise<void>((r) => token.onCancellationRequested(() => r())),
          ),
      ),
    log: output,
  };
}
