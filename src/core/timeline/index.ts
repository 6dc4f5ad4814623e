// The side-panel timeline's model: the waterfall rows of a trace and its pod-startup SLO verdict.

export {
  timelinePhases,
  timelineOrigin,
  timelineSpanMs,
  POD_GROUP,
  type PhaseRow,
  type PhaseKind,
  type PhaseStatus,
} from './phases.js';
export { startupSlo, POD_STARTUP_SLO_MS, type StartupSlo, type SloVerdict } from './slo.js';
