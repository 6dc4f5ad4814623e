// Mapping a trace onto the current text of its manifest. The trace's paths are pod-relative and
// index containers as the pod had them (`spec.containers[0].image`); the document may since have
// been edited. So:
//  * the document is the one at the trace's document index, and must keep the kind and name it had
//    when the trace first met the text; otherwise the mapping no longer holds and nothing is shown;
//  * each container of the trace is bound, the first time it is seen, to a container of the
//    manifest (by name, else by the position the pod had it at), and followed by that name from then
//    on: inserting lines or containers above it moves the marks, deleting it removes them;
//  * a field that is missing is shown on its nearest parent, with a note saying what to add.

import { isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';
import {
  manifestContainerPath,
  formatPath,
  locatePodPath,
  parsePath,
  podPath,
  suggestAddition,
  type ManifestDocument,
  type PathSegment,
  type Range,
  type RangeResult,
} from '../core/manifest/index.js';
import { fieldRange, type DocView } from './doc-view.js';
import type { PushedTrace } from './trace-store.js';

/** A manifest container a trace container is bound to. */
export interface ContainerBinding {
  /** Its name in the manifest (null for a nameless item, followed by position instead). */
  readonly name: string | null;
  readonly init: boolean;
  readonly index: number;
}

export interface Binding {
  readonly kind: string | null;
  readonly name: string | null;
  /** Trace container key (`init:setup`, `app`) → manifest container, or null when none matched. */
  readonly containers: Map<string, ContainerBinding | null>;
}

export interface Located {
  /** The pod-relative path asked for, with its container re-bound to where it is now. */
  readonly path: string;
  readonly result: RangeResult;
  /** The field on one line (see fieldRange). */
  readonly range: Range;
  /** When the field is missing: what the mark stands on instead, and what to add. */
  readonly note: string | null;
}

export interface TraceView {
  readonly entry: PushedTrace;
  readonly trace: Trace;
  readonly view: DocView;
  readonly doc: ManifestDocument;
  /** Locates a pod-relative path of the trace; null when the mapping no longer holds. */
  locate(path: string, container: string | null): Located | null;
  /** Where a trace container is now (`spec.containers[1]`), or null. */
  containerPath(name: string, init: boolean): string | null;
  /** The trace's containers: those it lists, and any its steps name. */
  readonly containers: readonly { readonly name: string; readonly init: boolean }[];
}

const LISTS = { containers: false, initContainers: true } as const;

function containerKey(name: string, init: boolean): string {
  return `${init ? 'init:' : ''}${name}`;
}

/** `spec.containers[2].image` → {init: false, index: 2, rest: ['image']}. */
export function splitContainerPath(
  segs: readonly PathSegment[],
): { init: boolean; index: number; rest: PathSegment[] } | null {
  const [spec, list, index, ...rest] = segs;
  if (spec !== 'spec' || (list !== 'containers' && list !== 'initContainers') || typeof index !== 'number') return null;
  return { init: LISTS[list], index, rest };
}

function identityOf(doc: ManifestDocument): { kind: string | null; name: string | null } {
  return { kind: doc.kind, name: doc.name ?? doc.generateName };
}

/** The manifest's containers as written (name, list, position). */
export function manifestContainers(doc: ManifestDocument): ContainerBinding[] {
  const base = doc.podTemplatePath === null ? null : parsePath(doc.podTemplatePath);
  if (!base) return [];
  let node: unknown = doc.toJSON();
  for (const s of base) node = isRecord(node) ? node[String(s)] : undefined;
  const spec = isRecord(node) ? node.spec : undefined;
  if (!isRecord(spec)) return [];
  const out: ContainerBinding[] = [];
  for (const [list, init] of Object.entries(LISTS)) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c: unknown, index) => {
      const name = isRecord(c) && typeof c.name === 'string' ? c.name : null;
      out.push({ name, init, index });
    });
  }
  return out;
}

/** Every container the trace knows, with whether it is an init container. */
export function traceContainers(trace: Trace): { name: string; init: boolean }[] {
  const out = new Map<string, { name: string; init: boolean }>();
  for (const c of trace.containers) out.set(containerKey(c.name, c.init), { name: c.name, init: c.init });
  for (const s of trace.steps)
    if (s.container !== null) out.set(containerKey(s.container, s.init), { name: s.container, init: s.init });
  return [...out.values()];
}

/** Which container (name, init) a trace path `spec.containers[i]…` refers to, from the trace's own paths. */
function traceContainerAt(trace: Trace, init: boolean, index: number): string | null {
  for (const s of [...trace.steps, ...trace.diagnosis]) {
    if (s.container === null || s.yamlPath === null) continue;
    const segs = parsePath(s.yamlPath);
    const c = segs ? splitContainerPath(segs) : null;
    if (c && c.init === init && c.index === index) return s.container;
  }
  return null;
}

/** The position the pod had a trace container at, from the trace's own paths. */
function traceIndexOf(trace: Trace, name: string, init: boolean): number | null {
  for (const s of [...trace.steps, ...trace.diagnosis]) {
    if (s.container !== name || s.yamlPath === null) continue;
    const segs = parsePath(s.yamlPath);
    const c = segs ? splitContainerPath(segs) : null;
    if (c && c.init === init) return c.index;
  }
  return null;
}

function bindContainer(trace: Trace, doc: ManifestDocument, name: string, init: boolean): ContainerBinding | null {
  const inManifest = manifestContainers(doc).filter((c) => c.init === init);
  const byName = inManifest.find((c) => c.name === name);
  if (byName) return byName;
  // Not there by name (renamed since, or the pod came from an edited copy): the container at the
  // position the pod had it, unless that one is another of the trace's containers.
  const index = traceIndexOf(trace, name, init);
  if (index === null) return null;
  const taken = new Set(
    traceContainers(trace)
      .filter((c) => c.init === init)
      .map((c) => c.name),
  );
  const at = inManifest.find((c) => c.index === index);
  return at && (at.name === null || !taken.has(at.name)) ? at : null;
}

function currentContainerPath(doc: ManifestDocument, b: ContainerBinding): string | null {
  if (b.name !== null) return manifestContainerPath(doc, b.name, b.init);
  const still = manifestContainers(doc).find((c) => c.init === b.init && c.index === b.index && c.name === null);
  return still ? `spec.${b.init ? 'initContainers' : 'containers'}[${b.index}]` : null;
}

/**
 * The trace as it maps onto the document's current text, or null when it no longer does (the
 * document at that index is gone, or has another kind or name than when the trace met it).
 */
export function mapTrace(entry: PushedTrace, view: DocView): TraceView | null {
  if (entry.params.uri !== view.uri) return null;
  const doc = view.manifest.documents[entry.params.docIndex];
  if (!doc || doc.podTemplatePath === null) return null;
  const id = identityOf(doc);
  if (entry.binding === null) entry.binding = { ...id, containers: new Map() };
  const binding = entry.binding;
  if (binding.kind !== id.kind || binding.name !== id.name) return null;
  const trace = entry.params.trace;
  const templateDepth = parsePath(doc.podTemplatePath)?.length ?? 0;

  const bound = (name: string, init: boolean): ContainerBinding | null => {
    const key = containerKey(name, init);
    if (!binding.containers.has(key)) binding.containers.set(key, bindContainer(trace, doc, name, init));
    return binding.containers.get(key) ?? null;
  };
  const containerPath = (name: string, init: boolean): string | null => {
    const b = bound(name, init);
    return b ? currentContainerPath(doc, b) : null;
  };

  const locate = (path: string, container: string | null): Located | null => {
    const segs = parsePath(path);
    if (!segs) return null;
    let rebased: PathSegment[] = segs;
    let minDepth = templateDepth + 1; // at least the pod's `spec`
    const c = splitContainerPath(segs);
    if (c) {
      const name = container ?? traceContainerAt(trace, c.init, c.index);
      if (name !== null) {
        const now = containerPath(name, c.init);
        const nowSegs = now === null ? null : parsePath(now);
        if (!nowSegs) return null;
        rebased = [...nowSegs, ...c.rest];
      }
      minDepth = templateDepth + 3; // at least the container
    }
    const podRelative = formatPath(rebased);
    const r = locatePodPath(doc, podRelative);
    // A workload's own field (a Job's spec.backoffLimit) is located outside the pod template: there
    // the depth rule is the owner's (at least its `spec`).
    const own =
      templateDepth > 0 && r !== null && formatPath(r.segments.slice(0, templateDepth)) !== doc.podTemplatePath;
    if (!r || r.segments.length < (own ? 1 : minDepth)) return null;
    const hint = suggestAddition(r);
    const asked = podPath(doc, podRelative) ?? podRelative;
    const note = r.found ? null : `\`${asked}\` is not in the manifest: ${hint ?? `marked on \`${r.path}\``}`;
    return { path: podRelative, result: r, range: fieldRange(view, r), note };
  };

  return { entry, trace, view, doc, locate, containerPath, containers: traceContainers(trace) };
}
