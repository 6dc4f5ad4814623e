// Runtime (containerd, CRI-O) and kubelet log parsing, and picking one pod's records out of a node log.

export { createLogParser, parseLogText, type LogParser, type LogParserOptions, type ParsedLogText } from './parser.js';
export { detectLineFormat } from './detect.js';
export { attributeToPod, stripContainerIdScheme, type AttributionOptions, type PodLogIdentity } from './attribution.js';
export { normalizeImageRef, sameImage } from './image-ref.js';
export { stripMonotonic } from './klog.js';
export type { CriRecordWithPull, PullDetail } from './records.js';
