// The manifest mapper: YAML documents, pod templates, and field path ↔ source range in both directions.

export { parseManifest, documentAt, POD_TEMPLATE_PATHS } from './parse.js';
export type { Manifest, ManifestDocument, ManifestProblem, Position, Range } from './parse.js';
export { parsePath, formatPath, joinPath } from './path.js';
export type { PathSegment } from './path.js';
export {
  rangeOf,
  pathAt,
  podPath,
  manifestContainerPath,
  locatePodPath,
  manifestPathOf,
  lineOfPodPath,
  suggestAddition,
} from './locate.js';
export type { RangeResult, PathAtResult } from './locate.js';
export { findPodDocument, noPodDocumentReason } from './pod-document.js';
