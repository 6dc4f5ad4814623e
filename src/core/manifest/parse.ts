// Parsing a (multi-document) Kubernetes manifest with `yaml`, keeping the syntax tree for
// path ↔ range mapping. Positions are 0-based lines and UTF-16 columns (LSP style).

import { YAMLParseError, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type YAMLError } from 'yaml';

/** 0-based line, 0-based UTF-16 column (an LSP `Position`). */
export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** A YAML error or warning. `line`/`col` are 1-based for messages; `range` is 0-based like every other range here. */
export interface ManifestProblem {
  readonly message: string;
  readonly code: string;
  readonly line: number;
  readonly col: number;
  readonly range: Range;
}

export interface ManifestDocument {
  /** Position in the file, 0-based. */
  readonly index: number;
  readonly kind: string | null;
  readonly apiVersion: string | null;
  readonly name: string | null;
  readonly generateName: string | null;
  readonly namespace: string | null;
  /** From the document's `---` marker (or its first node) to its end. */
  readonly range: Range;
  readonly errors: readonly ManifestProblem[];
  readonly warnings: readonly ManifestProblem[];
  /**
   * Where the pod spec lives: `''` for a Pod, `spec.template` for Deployment, ReplicaSet, StatefulSet,
   * DaemonSet, Job and ReplicationController, `spec.jobTemplate.spec.template` for CronJob, `template`
   * for PodTemplate; null for other kinds.
   */
  readonly podTemplatePath: string | null;
  /**
   * The document as plain data (null when it cannot be converted: too many aliases, nesting too deep,
   * or a mapping key that is not a scalar, which no Kubernetes object has).
   */
  toJSON(): unknown;
}

export interface Manifest {
  readonly documents: readonly ManifestDocument[];
}

/** The syntax tree behind a ManifestDocument; kept out of the public shape. */
export interface DocumentSource {
  readonly doc: Document.Parsed;
  /** Offsets where lines start (after LF, CRLF, or a lone CR as LSP counts them). */
  readonly lineStarts: readonly number[];
  readonly text: string;
}

const SOURCES = new WeakMap<ManifestDocument, DocumentSource>();

/** @internal the syntax tree of a document made by `parseManifest`, or null for a foreign object. */
export function sourceOf(doc: ManifestDocument): DocumentSource | null {
  return SOURCES.get(doc) ?? null;
}

export const POD_TEMPLATE_PATHS: Readonly<Record<string, string>> = {
  Pod: '',
  Deployment: 'spec.template',
  ReplicaSet: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  Job: 'spec.template',
  ReplicationController: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
  PodTemplate: 'template',
};

/** Alias expansions allowed when converting to plain data (yaml's default, stated so it cannot drift). */
const MAX_ALIAS_COUNT = 100;

export function clampOffset(src: DocumentSource, offset: number): number {
  if (!Number.isFinite(offset)) return 0;
  return Math.max(0, Math.min(Math.floor(offset), src.text.length));
}

/**
 * Line starts computed from the text itself. yaml's LineCounter only records the line breaks its lexer
 * emits as tokens, not those inside a token, so after a bad multi-line token (`[x: 1]\na: 1\n  c: 1`)
 * every later position was a line too high. LSP (and VS Code) also end lines at a lone CR, which yaml
 * does not count.
 */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

export function positionAt(src: DocumentSource, offset: number): Position {
  const o = clampOffset(src, offset);
  const starts = src.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= o) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, col: o - (starts[lo] ?? 0) };
}

/** Offset of a 0-based position, or null when the line does not exist. Columns past the line end clamp to it. */
export function offsetAt(src: DocumentSource, line: number, col: number): number | null {
  const starts = src.lineStarts;
  if (!Number.isInteger(line) || line < 0 || line >= starts.length) return null;
  const start = starts[line] ?? 0;
  const next = line + 1 < starts.length ? (starts[line + 1] ?? src.text.length) : src.text.length;
  let lineEnd = next;
  while (lineEnd > start && (src.text[lineEnd - 1] === '\n' || src.text[lineEnd - 1] === '\r')) lineEnd -= 1;
  const c = Number.isFinite(col) ? Math.max(0, Math.floor(col)) : 0;
  return Math.min(start + c, lineEnd);
}

/** End offset without trailing blanks and line breaks (block scalars and collections end on the next line). */
export function trimEnd(src: DocumentSource, start: number, end: number): number {
  let e = clampOffset(src, end);
  const s = clampOffset(src, start);
  while (e > s && /[ \t\r\n]/.test(src.text[e - 1] ?? '')) e -= 1;
  return e;
}

export function rangeFromOffsets(src: DocumentSource, start: number, end: number): Range {
  return { start: positionAt(src, start), end: positionAt(src, trimEnd(src, start, end)) };
}

// eslint-disable-next-line no-control-regex
const MESSAGE_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function problem(src: DocumentSource, e: YAMLError): ManifestProblem {
  const [a, b] = Array.isArray(e.pos) ? e.pos : [0, 0];
  const start = positionAt(src, a);
  const end = positionAt(src, Math.max(a, b));
  let message = String(e.message ?? 'YAML error').split('\n')[0] ?? 'YAML error';
  // yaml reports a stack overflow while composing (nesting thousands of levels deep) with the engine's
  // own words, "Maximum call stack size exceeded"; say what it means for the file.
  if (e.code === 'RESOURCE_EXHAUSTION') message = `Nested too deeply to read (${message})`;
  // yaml quotes the offending source character as is: `Not a YAML token: \r` put a raw CR (or NUL,
  // ESC, U+2028) into a one-line message. Show such characters as escapes.
  message = message.replace(MESSAGE_CONTROL, (c) =>
    c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return {
    message,
    code: String(e.code ?? 'YAML_ERROR'),
    line: start.line + 1,
    col: start.col + 1,
    range: { start, end },
  };
}

function topString(doc: Document.Parsed, key: string): string | null {
  if (!isMap(doc.contents)) return null;
  const v: unknown = doc.contents.get(key, true);
  return isScalar(v) && typeof v.value === 'string' ? v.value : null;
}

function metaString(doc: Document.Parsed, key: string): string | null {
  if (!isMap(doc.contents)) return null;
  const meta: unknown = doc.contents.get('metadata', true);
  if (!isMap(meta)) return null;
  const v: unknown = meta.get(key, true);
  return isScalar(v) && typeof v.value === 'string' ? v.value : null;
}

/**
 * Duplicate mapping keys, in one linear pass. yaml's own check (the `uniqueKeys` option) compares every
 * key with all earlier keys of its map: quadratic, so a one-line flow map of 100,000 keys (1 MB) took
 * 175 s to parse (test/reliability/corpus/manifests/wide-flow-map.yaml). Same rule as yaml's default
 * (scalar keys are equal when their values are `===`; other keys never collide), same code and message,
 * at the key's start.
 */
function duplicateKeys(doc: Document.Parsed): YAMLParseError[] {
  const out: YAMLParseError[] = [];
  const stack: unknown[] = [doc.contents]; // explicit stack: documents can be nested thousands deep
  while (stack.length > 0) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<unknown>();
      for (const it of n.items as unknown[]) {
        if (!isPair(it)) continue;
        const k = it.key;
        if (isScalar(k) && !Number.isNaN(k.value)) {
          if (seen.has(k.value)) {
            const at = Array.isArray(k.range) && typeof k.range[0] === 'number' ? k.range[0] : 0;
            out.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          } else seen.add(k.value);
        }
        stack.push(it.key, it.value);
      }
    } else if (isSeq(n)) {
      for (const it of n.items as unknown[]) {
        if (isPair(it)) stack.push(it.key, it.value);
        else stack.push(it);
      }
    }
  }
  return out;
}

/**
 * Whether some mapping key is a collection or an alias (`? [a, b]`, `{[x]: 1}`, `*a : v`). yaml turns
 * such keys into strings by stringifying the key's whole subtree at every level, which explodes with
 * nesting: 200 nested `{[` (2.4 KB of valid YAML) took 13 s in toJSON, 400 took 190 s
 * (test/reliability/corpus/manifests/nested-collection-keys.yaml). JSON, and so Kubernetes, has only
 * string keys, so such a document is not a Kubernetes object anyway.
 */
function hasNonScalarKey(doc: Document.Parsed): boolean {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isMap(n)) {
      for (const it of n.items as unknown[]) {
        if (!isPair(it)) continue;
        if (it.key !== null && it.key !== undefined && !isScalar(it.key)) return true;
        stack.push(it.value);
      }
    } else if (isSeq(n)) {
      for (const it of n.items as unknown[]) {
        if (isPair(it)) {
          if (it.key !== null && it.key !== undefined && !isScalar(it.key)) return true;
          stack.push(it.value);
        } else stack.push(it);
      }
    }
  }
  return false;
}

/** Parses every document of a manifest. Never throws: syntax problems are reported per document. */
export function parseManifest(text: string): Manifest {
  const source = typeof text === 'string' ? text : '';
  const lineStarts = lineStartsOf(source);
  let parsed: Document.Parsed[] = [];
  try {
    // uniqueKeys: false: duplicate keys are found by duplicateKeys below, in linear time.
    const all = parseAllDocuments(source, {
      keepSourceTokens: true,
      prettyErrors: false,
      logLevel: 'error',
      uniqueKeys: false,
    });
    parsed = Array.isArray(all) ? all : [];
  } catch {
    parsed = [];
  }
  const documents = parsed.map((doc, index): ManifestDocument => {
    const src: DocumentSource = { doc, lineStarts, text: source };
    const kind = topString(doc, 'kind');
    const template =
      kind !== null && Object.prototype.hasOwnProperty.call(POD_TEMPLATE_PATHS, kind)
        ? (POD_TEMPLATE_PATHS[kind] ?? null)
        : null;
    const [start = 0, , end = start] = doc.range ?? [0, 0, 0];
    const md: ManifestDocument = {
      index,
      kind,
      apiVersion: topString(doc, 'apiVersion'),
      name: metaString(doc, 'name'),
      generateName: metaString(doc, 'generateName'),
      namespace: metaString(doc, 'namespace'),
      range: rangeFromOffsets(src, start, end),
      errors: [...doc.errors, ...duplicateKeys(doc)]
        .map((e) => problem(src, e))
        .sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.col - y.range.start.col),
      warnings: doc.warnings.map((e) => problem(src, e)),
      podTemplatePath: template,
      toJSON(): unknown {
        try {
          if (hasNonScalarKey(doc)) return null;
          return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
        } catch {
          return null;
        }
      },
    };
    SOURCES.set(md, src);
    return md;
  });
  return { documents };
}

/** The document under a 0-based line: each document owns the lines from its start up to the next one's. */
export function documentAt(manifest: Manifest, line: number): ManifestDocument | null {
  const docs = manifest.documents;
  if (docs.length === 0 || !Number.isFinite(line)) return null;
  let found: ManifestDocument | null = docs[0] ?? null;
  for (const d of docs) if (d.range.start.line <= line) found = d;
  return found;
}
