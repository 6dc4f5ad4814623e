// Field path ↔ source range, both ways, and the pod-template rebasing that workloads need.

import { isAlias, isMap, isNode, isPair, isScalar, isSeq, type Pair } from 'yaml';
import { formatPath, parsePath, type PathSegment } from './path.js';
import {
  offsetAt,
  rangeFromOffsets,
  sourceOf,
  trimEnd,
  type DocumentSource,
  type ManifestDocument,
  type Range,
} from './parse.js';

export interface RangeResult {
  /** The whole path exists. */
  readonly found: boolean;
  /** The path actually located: the requested one, or its nearest existing parent. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** Segments below `path` that are not in the document (`['tolerations']`, `['[2]']`). Empty when found. */
  readonly missing: readonly string[];
  /** The located node's value (for a missing value, a zero-width range after its key). */
  readonly range: Range;
  /** The key of the located node when it is a mapping entry. */
  readonly keyRange?: Range;
}

export interface PathAtResult {
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** The range of the node (or key) found at the position. */
  readonly range: Range;
  /** The position is on a mapping key rather than its value. */
  readonly onKey: boolean;
}

type Offsets = readonly [number, number];

const ZERO: Range = { start: { line: 0, col: 0 }, end: { line: 0, col: 0 } };

function nodeOffsets(n: unknown): Offsets | null {
  if (!isNode(n)) return null;
  const r = n.range;
  if (!Array.isArray(r) || typeof r[0] !== 'number' || typeof r[1] !== 'number') return null;
  return [r[0], r[1]];
}

function scalarText(src: DocumentSource, n: unknown): string | null {
  if (!isScalar(n)) return null;
  const v = n.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null) return String(v);
  const o = nodeOffsets(n);
  return o ? src.text.slice(o[0], o[1]) : null;
}

/** Does a mapping key name this segment? Non-string keys (`1:`, `true:`) match their value or their source text. */
function keyMatches(src: DocumentSource, key: unknown, seg: PathSegment): boolean {
  if (!isScalar(key)) return false;
  const want = String(seg);
  if (typeof key.value === 'string') return key.value === want;
  if (scalarText(src, key) === want) return true;
  const o = nodeOffsets(key);
  return o !== null && src.text.slice(o[0], o[1]) === want;
}

function resolve(src: DocumentSource, n: unknown): unknown {
  if (!isAlias(n)) return n;
  try {
    return n.resolve(src.doc) ?? null;
  } catch {
    return null;
  }
}

interface Step {
  readonly exists: boolean;
  readonly node: unknown;
  readonly key: unknown;
}

function child(src: DocumentSource, parent: unknown, seg: PathSegment): Step {
  const p = resolve(src, parent);
  if (isMap(p)) {
    const pair = (p.items as unknown[]).find(
      (it): it is Pair<unknown, unknown> => isPair(it) && keyMatches(src, it.key, seg),
    );
    return pair ? { exists: true, node: pair.value, key: pair.key } : { exists: false, node: null, key: null };
  }
  if (isSeq(p)) {
    const idx = typeof seg === 'number' ? seg : /^\d{1,15}$/.test(seg) ? Number(seg) : -1;
    const item: unknown = idx >= 0 ? p.items[idx] : undefined;
    if (isPair(item)) return { exists: true, node: item.value, key: item.key }; // `[a: 1]`
    if (item !== undefined && (isNode(item) || item === null)) return { exists: true, node: item, key: null };
  }
  return { exists: false, node: null, key: null };
}

function segText(seg: PathSegment): string {
  return typeof seg === 'number' ? `[${seg}]` : seg;
}

/** The whole document's contents range (or the document's own range when it is empty). */
function rootRange(src: DocumentSource, md: ManifestDocument): Range {
  const o = nodeOffsets(src.doc.contents);
  return o ? rangeFromOffsets(src, o[0], o[1]) : md.range;
}

function valueRange(src: DocumentSource, step: Step): Range {
  const o = nodeOffsets(step.node);
  if (o) return rangeFromOffsets(src, o[0], o[1]);
  const k = nodeOffsets(step.key);
  if (k) {
    const end = rangeFromOffsets(src, k[1], k[1]).start;
    return { start: end, end };
  }
  return ZERO;
}

/**
 * Locates a field. Where it is absent, the result is its nearest existing parent and `missing` lists
 * what to add below it. Accepts path text or segments; unparsable text locates the root with the
 * whole text as missing. Never throws.
 */
export function rangeOf(doc: ManifestDocument, path: string | readonly PathSegment[]): RangeResult {
  const src = sourceOf(doc);
  const segs = typeof path === 'string' ? parsePath(path) : [...path];
  const rootResult = (missing: string[]): RangeResult => ({
    found: false,
    path: '',
    segments: [],
    missing,
    range: src ? rootRange(src, doc) : doc.range,
  });
  if (!src) return rootResult(segs ? segs.map(segText) : [String(path)]);
  if (!segs) return rootResult([String(path)]);
  if (src.doc.contents === null || src.doc.contents === undefined)
    return { ...rootResult(segs.map(segText)), found: segs.length === 0 };

  let cur: Step = { exists: true, node: src.doc.contents, key: null };
  let depth = 0;
  for (; depth < segs.length; depth += 1) {
    const seg = segs[depth] as PathSegment;
    const next = child(src, cur.node, seg);
    if (!next.exists) break;
    cur = next;
  }
  const located = segs.slice(0, depth);
  const keyOffsets = nodeOffsets(cur.key);
  const result: RangeResult = {
    found: depth === segs.length,
    path: formatPath(located),
    segments: located,
    missing: segs.slice(depth).map(segText),
    range: depth === 0 ? rootRange(src, doc) : valueRange(src, cur),
    ...(keyOffsets ? { keyRange: rangeFromOffsets(src, keyOffsets[0], keyOffsets[1]) } : {}),
  };
  return result;
}

/** "add `tolerations:` under `spec`", or null when nothing is missing. */
export function suggestAddition(r: RangeResult): string | null {
  const first = r.missing[0];
  if (r.found || first === undefined) return null;
  const where = r.path === '' ? 'at the top level' : `under \`${r.path}\``;
  if (/^\[\d+\]$/.test(first)) return `add item ${first} to \`${r.path}\``;
  return `add \`${first}:\` ${where}`;
}

/** Does a node cover the offset (end inclusive)? A scalar also covers its trailing comment. */
function covers(src: DocumentSource, n: unknown, offset: number): boolean {
  const o = nodeOffsets(n);
  if (!o) return false;
  const r = isScalar(n) ? n.range : null;
  const end = r && typeof r[2] === 'number' && r[2] > o[1] ? r[2] : o[1];
  return o[0] <= offset && offset <= trimEnd(src, o[0], end);
}

/** A child that starts later on the same line, with only indentation, `-` or `?` before it. */
function startsAfterOnLine(src: DocumentSource, n: unknown, offset: number): boolean {
  const o = nodeOffsets(n);
  if (!o || o[0] <= offset) return false;
  return /^[ \t\-?]*$/.test(src.text.slice(offset, o[0]));
}

/** The position is on the `:` (or the blanks around it) that ends a key. */
function afterKeyColon(src: DocumentSource, key: unknown, offset: number): boolean {
  const o = nodeOffsets(key);
  if (!o || offset < o[1]) return false;
  return /^[ \t]*:?[ \t]*$/.test(src.text.slice(o[1], offset));
}

/** Nesting followed by pathAt; deeper positions resolve to the node at this depth. */
const MAX_DEPTH = 500;

interface Hit {
  readonly segments: PathSegment[];
  readonly offsets: Offsets;
  readonly onKey: boolean;
}

function keySegment(src: DocumentSource, key: unknown): PathSegment | null {
  const t = scalarText(src, key);
  return t === null ? null : t;
}

function descend(src: DocumentSource, node: unknown, segs: PathSegment[], offset: number, depth: number): Hit {
  const here: Hit = { segments: segs, offsets: nodeOffsets(node) ?? [offset, offset], onKey: false };
  if (depth > MAX_DEPTH) return here;
  const entries: { seg: PathSegment; key: unknown; value: unknown }[] = [];
  if (isMap(node)) {
    for (const it of node.items as unknown[]) {
      if (!isPair(it)) continue;
      const seg = keySegment(src, it.key);
      if (seg !== null) entries.push({ seg, key: it.key, value: it.value });
    }
  } else if (isSeq(node)) {
    node.items.forEach((it: unknown, i: number) => entries.push({ seg: i, key: null, value: it }));
  } else {
    return here;
  }
  for (const e of entries) {
    if (e.key !== null && covers(src, e.key, offset)) {
      return { segments: [...segs, e.seg], offsets: nodeOffsets(e.key) ?? here.offsets, onKey: true };
    }
    if (isPair(e.value)) {
      // A pair inside a flow sequence: `[a: 1]`.
      const pk = keySegment(src, e.value.key);
      if (covers(src, e.value.key, offset) && pk !== null)
        return { segments: [...segs, e.seg, pk], offsets: nodeOffsets(e.value.key) ?? here.offsets, onKey: true };
      if (covers(src, e.value.value, offset) && pk !== null)
        return descend(src, e.value.value, [...segs, e.seg, pk], offset, depth + 1);
      continue;
    }
    if (covers(src, e.value, offset)) return descend(src, e.value, [...segs, e.seg], offset, depth + 1);
  }
  // Nothing covers the position: the cursor is on indentation, a `- ` or after a `key:`. Take what starts
  // later on the same line.
  for (const e of entries) {
    if (e.key !== null) {
      if (startsAfterOnLine(src, e.key, offset))
        return { segments: [...segs, e.seg], offsets: nodeOffsets(e.key) ?? here.offsets, onKey: true };
      if (afterKeyColon(src, e.key, offset))
        return { segments: [...segs, e.seg], offsets: nodeOffsets(e.key) ?? here.offsets, onKey: true };
      const vo = nodeOffsets(e.value);
      if (vo && !isPair(e.value) && startsAfterOnLine(src, e.value, offset))
        return descend(src, e.value, [...segs, e.seg], vo[0], depth + 1);
    } else if (startsAfterOnLine(src, e.value, offset)) {
      return { segments: [...segs, e.seg], offsets: nodeOffsets(e.value) ?? here.offsets, onKey: false };
    }
  }
  return here;
}

/** The deepest path at a 0-based line and UTF-16 column, or null outside the document's contents. */
export function pathAt(doc: ManifestDocument, line: number, col: number): PathAtResult | null {
  const src = sourceOf(doc);
  if (!src) return null;
  const offset = offsetAt(src, line, col);
  if (offset === null) return null;
  const root = src.doc.contents;
  if (!covers(src, root, offset) && !startsAfterOnLine(src, root, offset)) return null;
  try {
    const hit = descend(src, root, [], offset, 0);
    return {
      path: formatPath(hit.segments),
      segments: hit.segments,
      range: rangeFromOffsets(src, hit.offsets[0], hit.offsets[1]),
      onKey: hit.onKey,
    };
  } catch {
    return null; // a stack overflow on absurd nesting: no hover rather than a crash
  }
}

/** Rebases a pod-relative path (`spec.containers[0].image`) onto the document; null when it holds no pod template. */
export function podPath(doc: ManifestDocument, podRelativePath: string): string | null {
  if (doc.podTemplatePath === null) return null;
  const base = parsePath(doc.podTemplatePath);
  const rel = parsePath(podRelativePath);
  return base && rel ? formatPath([...base, ...rel]) : null;
}

function nodeAt(src: DocumentSource, segs: readonly PathSegment[]): unknown {
  let cur: unknown = src.doc.contents;
  for (const s of segs) {
    const c = child(src, cur, s);
    if (!c.exists) return undefined;
    cur = c.node;
  }
  return resolve(src, cur);
}

/**
 * The pod-relative path of a container found by name: `spec.containers[i]` or `spec.initContainers[i]`.
 * Without `init`, regular containers are searched first.
 */
export function manifestContainerPath(doc: ManifestDocument, containerName: string, init?: boolean): string | null {
  const src = sourceOf(doc);
  const base = doc.podTemplatePath === null ? null : parsePath(doc.podTemplatePath);
  if (!src || !base) return null;
  for (const isInit of init === undefined ? [false, true] : [init]) {
    const list = isInit ? 'initContainers' : 'containers';
    const seq = nodeAt(src, [...base, 'spec', list]);
    if (!isSeq(seq)) continue;
    const i = seq.items.findIndex((it: unknown) => {
      const m = resolve(src, it);
      if (!isMap(m)) return false;
      const n: unknown = m.get('name', true);
      return isScalar(n) && String(n.value) === containerName;
    });
    if (i >= 0) return `spec.${list}[${i}]`;
  }
  return null;
}

/**
 * Paths that name the workload's own field rather than its pod template's: pod-level metadata a
 * template does not carry (`metadata.name`), and fields only a Job has (a diagnosis of a Job's pod
 * points at `spec.backoffLimit`; a Pod has no such field, so the path cannot mean the pod's).
 */
const OWN_FIELD = /^(metadata(\.|\[|$)|spec\.(backoffLimit|backoffLimitPerIndex|podFailurePolicy)(\.|\[|$))/;
const JOB_ONLY = /^spec\.(backoffLimit|backoffLimitPerIndex|podFailurePolicy)(\.|\[|$)/;

/**
 * Where a pod-relative path lives in the document: in the pod template (rebased), or on the workload's
 * own field when the path is an owner field (OWN_FIELD) that the template lacks and the workload has,
 * or a Job-only field. Null when the document has no pod template.
 */
function documentPath(doc: ManifestDocument, podRelativePath: string): string | null {
  const rebased = podPath(doc, podRelativePath);
  if (rebased === null || doc.podTemplatePath === '' || !OWN_FIELD.test(podRelativePath.trim())) return rebased;
  const own = parsePath(podRelativePath);
  if (own === null || rangeOf(doc, rebased).found) return rebased;
  return rangeOf(doc, own).found || JOB_ONLY.test(podRelativePath.trim()) ? formatPath(own) : rebased;
}

/** Locates a pod-relative path in a document (see documentPath). Null when the document has no pod template. */
export function locatePodPath(doc: ManifestDocument, podRelativePath: string): RangeResult | null {
  const p = documentPath(doc, podRelativePath);
  return p === null ? null : rangeOf(doc, p);
}

/**
 * The path in the document that a pod-relative path maps to (`spec.nodeSelector` in a Deployment is
 * `spec.template.spec.nodeSelector`), whether or not the field is written there yet. Null when the
 * document has no pod template.
 */
export function manifestPathOf(doc: ManifestDocument, podRelativePath: string): string | null {
  return documentPath(doc, podRelativePath);
}

/** The 1-based line of a pod-relative path (its key's line; the nearest parent's when absent), or null. */
export function lineOfPodPath(doc: ManifestDocument, podRelativePath: string): number | null {
  const r = locatePodPath(doc, podRelativePath);
  if (!r) return null;
  return (r.keyRange ?? r.range).start.line + 1;
}
