// The rollout report: every pod of a workload folded into its phase times, their percentiles against
// the pod-startup SLO, and the exports (Markdown, CSV, Mermaid Gantt, terminal text).

export * from './report.js';
export { foldPod, type PodFoldOptions } from './pod.js';
export { nearestRank, phaseStats } from './percentiles.js';
export { buildRolloutReport, slowReason, SLOWEST_COUNT, type SlowCause, type BuildOptions } from './build.js';
export { toGantt, ganttPods, type GanttOptions } from './gantt.js';
export { toMarkdown, toCsv, toText, csvField, markdownCell, CSV_COLUMNS } from './table.js';
