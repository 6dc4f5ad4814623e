// The status-bar item: the running trace (spinning), else the last one's outcome; click shows it.

import * as vscode from 'vscode';
import { FOCUS_TRACE_COMMAND } from '../protocol/commands.js';
import type { TraceRegistry } from './trace-registry.js';

export function traceStatusItem(registry: TraceRegistry): vscode.Disposable {
  const status = vscode.window.createStatusBarItem('podBirth.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Pod Birth';
  const update = (): void => {
    const running = registry.running();
    const last = registry.list()[0];
    if (running.length > 0) {
      status.text = `$(sync~spin) Pod Birth: ${running.length === 1 ? running[0]?.title : `${running.length} traces`}`;
      status.tooltip = 'A pod birth is being traced: click to show it';
      status.command = { title: 'Show trace', command: FOCUS_TRACE_COMMAND, arguments: [running[0]?.id] };
      status.show();
    } else if (last) {
      const failed = last.outcome !== 'ready' && last.outcome !== 'succeeded' && last.outcome !== 'replay';
      status.text = `${failed ? '$(error)' : '$(pass)'} Pod Birth: ${last.title} ${last.outcome ?? ''}`;
      status.tooltip = 'Show the last traced pod birth';
      status.command = { title: 'Show trace', command: FOCUS_TRACE_COMMAND, arguments: [last.id] };
      status.show();
    } else status.hide();
  };
  const sub = registry.onChange(update);
  return vscode.Disposable.from(status, sub);
}
