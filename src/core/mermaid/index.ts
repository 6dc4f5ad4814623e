// The Mermaid renderer: a trace as a sequence diagram, and the escaper for cluster-supplied text.

export {
  escapeMermaidText,
  cleanMermaidText,
  encodeMermaidText,
  decodeMermaidText,
  DEFAULT_MAX_LEN,
} from './escape.js';
export { renderMermaid, DEFAULT_MAX_STEPS, SCHEDULER_CAUSES } from './render.js';
export type { RenderOptions, RenderedDiagram } from './render.js';
