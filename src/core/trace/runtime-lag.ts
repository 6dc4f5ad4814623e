// Which steps the kubelet reported but the runtime's own log has not (yet) given a time for.
//
// The kubelet learns that a sandbox or container exists only after the runtime answered, and the
// runtime logs its answer before it returns: so once the runtime log has given this pod any step, a
// done sandbox/create/start step without a runtime-log time means the log we read lags behind (journald
// under load), not that the line will never come. A trace's end reads the log again while this holds.

import type { Step, Trace } from '../model.js';

const RUNTIME_LOGGED: ReadonlySet<Step['kind']> = new Set([
  'sandbox-created',
  'container-created',
  'container-started',
]);

function fromRuntimeLog(s: Step): boolean {
  return s.source === 'runtime-log' || s.corroboration.some((c) => c.source === 'runtime-log');
}

/** The ids of the done steps whose runtime lines are missing, when the runtime log has given others. */
export function stepsAwaitingRuntimeLog(trace: Trace): string[] {
  if (!trace.steps.some(fromRuntimeLog)) return [];
  return trace.steps
    .filter((s) => RUNTIME_LOGGED.has(s.kind) && s.status === 'done' && !fromRuntimeLog(s))
    .map((s) => s.id);
}
