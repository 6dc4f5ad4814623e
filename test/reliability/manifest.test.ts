// Hostile and malformed manifests through everything that reads one: parseManifest, analyze (the
// language server's view), documentAt, pathAt, locatePodPath, lineOfPodPath and toJSON.
//
// Properties, for every input: nothing throws; every YAML problem has a 1-based line and column inside
// the text and a one-line message; every range lies inside the text; paths round-trip through the
// path grammar; and each input is handled within a time bound (2 s for the small generated inputs,
// 4 s + 6 s per MB for the huge ones, which is about catching blow-ups, not benchmarking: yaml itself
// reads roughly 20,000–40,000 short lines per second on this 2-core machine, less when it is busy).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import {
  documentAt,
  formatPath,
  lineOfPodPath,
  locatePodPath,
  parseManifest,
  parsePath,
  pathAt,
  type Manifest,
  type ManifestProblem,
  type Range,
} from '../../src/core/manifest/index.js';
import { analyze } from '../../src/server/analysis.js';
import { CORPUS, RECORDED, ROOT, Stats, show } from './helpers.js';

const stats = new Stats('manifest.test.ts');

/** Small inputs (≤ ~20 KB) must be handled in this time, all operations together. */
const SMALL_BOUND_MS = 2000;
/** Huge inputs: a fixed allowance plus a linear one (generous: the linearity tests catch blow-ups). */
const hugeBoundMs = (chars: number): number => 4000 + (6000 * chars) / 1_000_000;

const SAMPLES: readonly string[] = [
  ...readdirSync(join(ROOT, 'test', 'samples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(join(ROOT, 'test', 'samples', f), 'utf8')),
  ...readdirSync(RECORDED).flatMap((d) => {
    try {
      return [readFileSync(join(RECORDED, d, 'manifest.json'), 'utf8')];
    } catch {
      return [];
    }
  }),
  // Every workload kind with a pod template, in one multi-document file.
  [
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: job, image: busybox}\n',
    'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: data\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: init\n        image: busybox:1.36\n      containers:\n      - name: db\n        image: postgres:16\n        resources:\n          requests: {memory: 64Gi, cpu: "2"}\n',
    'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    containers: [{name: a, image: "nginx@sha256:0123"}]\n',
  ].join('---\n'),
];

const POD_PATHS = [
  'metadata.name',
  'spec.containers[0].image',
  'spec.containers[0].resources.requests.memory',
  'spec.initContainers[2].name',
  'spec.tolerations',
  '',
  'metadata.annotations["kubernetes.io/change-cause"]',
  'x..y',
  'spec.containers[999999999999999]',
];

/** Lines as LSP counts them: ended by LF, CRLF or a lone CR. */
function lineCount(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/** A cheap assertion for the hot loops (vitest's expect costs microseconds, and there are millions). */
function ok(cond: boolean, msg: string | (() => string)): void {
  if (!cond) throw new Error(typeof msg === 'function' ? msg() : msg);
}

function checkRange(r: Range, lines: number, what: string): void {
  ok(
    Number.isInteger(r.start.line) &&
      Number.isInteger(r.start.col) &&
      Number.isInteger(r.end.line) &&
      Number.isInteger(r.end.col),
    `${what}: not integers ${JSON.stringify(r)}`,
  );
  ok(r.start.line >= 0 && r.start.col >= 0 && r.end.col >= 0, `${what}: negative ${JSON.stringify(r)}`);
  ok(r.end.line < lines, `${what}: past the last line (${lines}) ${JSON.stringify(r)}`);
  ok(
    r.start.line < r.end.line || (r.start.line === r.end.line && r.start.col <= r.end.col),
    `${what}: start after end ${JSON.stringify(r)}`,
  );
}

function checkProblem(p: ManifestProblem, lines: number): void {
  ok(typeof p.message === 'string' && p.message.trim().length > 0, 'a YAML problem has a message');
  ok(!/[\n\r]/.test(p.message), () => `message on one line: ${JSON.stringify(p.message)}`);
  ok(typeof p.code === 'string' && p.code.length > 0, 'a code');
  ok(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines, `line ${p.line} of ${lines}`);
  ok(Number.isInteger(p.col) && p.col >= 1, `col ${p.col}`);
  ok(p.range.start.line === p.line - 1 && p.range.start.col === p.col - 1, 'line/col match the range');
  checkRange(p.range, lines, 'problem range');
}

interface Probe {
  readonly lines: readonly number[];
  readonly cols: readonly number[];
  readonly paths: readonly string[];
}

const DEFAULT_PROBE: Probe = { lines: [0, 2, 5, 11], cols: [0, 4, 400], paths: POD_PATHS };

/** Every reader over one text (timed together), then checks on what came back; returns the manifest. */
function exercise(
  text: string,
  probe: Probe = DEFAULT_PROBE,
  bound = SMALL_BOUND_MS,
  group = 'generated',
  label?: string,
): Manifest {
  const lines = lineCount(text);
  const docLines = [0, 1, 5, lines - 1];
  const { value: r, ms } = stats.time(
    group,
    () => label ?? show(text),
    () => {
      const manifest = parseManifest(text);
      const analysis = analyze(text);
      const perDoc = manifest.documents.map((d) => {
        d.toJSON();
        const hits = probe.lines.flatMap((l) => probe.cols.map((c) => pathAt(d, l, c)));
        const located = probe.paths.map((p) => ({ p, r: locatePodPath(d, p), line: lineOfPodPath(d, p) }));
        return { hits, located };
      });
      for (const l of [...probe.lines, -1, lines + 5, Number.NaN, Number.POSITIVE_INFINITY, 1.5])
        documentAt(manifest, l);
      const at = docLines.map((l) => ({ l, d: documentAt(manifest, l) }));
      return { manifest, analysis, perDoc, at };
    },
  );
  expect(ms, `${label ?? show(text)} took ${ms.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`).toBeLessThan(bound);
  const m = r.manifest;

  // What came back is well-formed.
  let prevStart = -1;
  m.documents.forEach((d, i) => {
    ok(d.index === i, 'index');
    ok(d.kind === null || typeof d.kind === 'string', 'kind');
    checkRange(d.range, lines, 'document range');
    ok(d.range.start.line >= prevStart, 'documents in order');
    prevStart = d.range.start.line;
    for (const p of [...d.errors, ...d.warnings]) checkProblem(p, lines);
    const { hits, located } = r.perDoc[i] ?? { hits: [], located: [] };
    for (const hit of hits) {
      if (!hit) continue;
      ok(
        formatPath(hit.segments) === hit.path && formatPath(parsePath(hit.path) ?? ['!']) === hit.path,
        `pathAt path ${hit.path}`,
      );
      checkRange(hit.range, lines, 'pathAt range');
    }
    for (const { p, r: loc, line } of located) {
      if (loc) {
        checkRange(loc.range, lines, `locatePodPath(${p})`);
        if (loc.keyRange) checkRange(loc.keyRange, lines, `locatePodPath(${p}) key`);
        ok(!loc.found || loc.missing.length === 0, 'found ⇒ nothing missing');
        ok(formatPath(loc.segments) === loc.path, `located path ${loc.path}`);
      }
      ok(line === null || (Number.isInteger(line) && line >= 1 && line <= lines), `lineOfPodPath ${line}`);
    }
  });
  // documentAt: a document of this manifest that starts at or before the line (or the first one).
  for (const { l, d } of r.at) {
    if (m.documents.length === 0) ok(d === null, 'documentAt of nothing');
    else {
      ok(d !== null && m.documents.includes(d), 'documentAt returns a document');
      ok(!d || d === m.documents[0] || d.range.start.line <= l, 'documentAt: starts at or before the line');
    }
  }
  for (const dg of r.analysis.diagnostics) {
    checkRange(dg.range, lines, 'diagnostic range');
    ok(dg.message.length > 0, 'diagnostic message');
    ok(
      dg.code !== 'pod-birth/yaml-error' ||
        /^YAML error: .+ — Pod Birth cannot trace this document until it parses\.$/.test(dg.message),
      () => `diagnostic ${dg.message}`,
    );
  }
  for (const lens of r.analysis.lenses) ok(m.documents[lens.docIndex] !== undefined, 'lens document');
  return m;
}

// ------------------------------------------------------------------------------------------------
// Generators

const YAML_CHARS = [...'ab: -[]{},"\'\n\r\t#&*!|>%@`?~0123456789.kind Pod\\'];
const ODD = [
  '\uFEFF',
  '\u202E',
  '\u2067',
  '\u200F',
  '\uD800',
  '\uDFFF',
  '😀',
  '\u0000',
  '\r\n',
  '\r',
  '\u2028',
  '\u0085',
  '\u00A0',
  '\t',
  'ﬂ°',
  '日本',
];
const FRAGMENTS = [
  '---\n',
  '--- ',
  '...\n',
  '---x\n',
  '--- !!map\n',
  '%YAML 1.2\n',
  '%YAML 1.1\n---\n',
  '%TAG ! tag:x,2000:\n',
  ': ',
  '- ',
  '? ',
  '  ',
  '\t',
  '\n',
  '&a ',
  '*a',
  '*b ',
  '<<: *a\n',
  '!!binary ',
  '!!str ',
  '!custom ',
  '|\n',
  '>-\n',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  'kind: Pod\n',
  'kind: pod\n',
  'kind: Deployments\n',
  'apiVersion: v1\n',
  'metadata:\n  name: x\n',
  'spec:\n  containers:\n  - name: c\n    image: busybox\n',
  'kind: [Pod]\n',
  'kind: {a: 1}\n',
  'kind: 42\n',
  'kind: null\n',
  'kind: !!binary aGk=\n',
  ...ODD,
];

const soup = fc.oneof(
  fc.string({ unit: fc.constantFrom(...YAML_CHARS, ...ODD), maxLength: 300 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 3 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, ms: readonly Mutation[]): string {
  let s = text;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === 'truncate') s = s.slice(0, at);
    else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else if (m.kind === 'replace') s = s.slice(0, at) + m.text + s.slice(at + m.text.length);
    else {
      const lines = s.split('\n');
      const i = lines.length === 0 ? 0 : m.at % lines.length;
      const line = lines[i] ?? '';
      if (m.kind === 'dupline') lines.splice(i, 0, line);
      else lines[i] = m.by >= 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '');
      s = lines.join('\n');
    }
  }
  return s;
}

const KINDS = [
  'Pod',
  'pod',
  'Pods',
  'Deployment',
  'deployment',
  'CronJob',
  'Job',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'PodTemplate',
  'ReplicationController',
  'Service',
  'ConfigMap',
  '',
  'Pod ',
  'Deployments',
];
const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...ODD),
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 10 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;
const k8sObject = fc.record(
  {
    apiVersion: fc.oneof(fc.constantFrom('v1', 'apps/v1', 'batch/v1'), scalar),
    kind: fc.oneof(fc.constantFrom(...KINDS), value),
    metadata: fc.oneof(
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 30 }), value),
          namespace: fc.oneof(fc.string({ maxLength: 10 }), value),
        },
        { requiredKeys: [] },
      ),
      value,
    ),
    spec: fc.oneof(
      fc.record(
        {
          containers: fc.oneof(
            fc.array(
              fc.record(
                {
                  name: fc.oneof(fc.string({ maxLength: 10 }), value),
                  image: fc.oneof(fc.string({ maxLength: 30 }), value),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
            value,
          ),
          template: value,
        },
        { requiredKeys: [] },
      ),
      value,
    ),
  },
  { requiredKeys: [] },
);
const structured = fc
  .tuple(fc.array(k8sObject, { minLength: 1, maxLength: 3 }), fc.constantFrom('block', 'flow', 'json'))
  .map(([objs, style]) =>
    objs
      .map((o) =>
        style === 'json'
          ? `${JSON.stringify(o, null, 2)}\n`
          : style === 'flow'
            ? stringify(o, { collectionStyle: 'flow' })
            : stringify(o),
      )
      .join('---\n'),
  );

const SEPARATORS = [
  '---\n',
  '--- \n',
  '---  # c\n',
  '---x\n',
  '--- ---\n',
  '...\n',
  '...\n---\n',
  '--- |\n',
  '--- >\n',
  '--- !!str\n',
  '--- &a\n',
  '--- *a\n',
  '\n---\n\n',
  '----\n',
  ' ---\n',
  '---\r\n',
  '\uFEFF---\n',
  '%YAML 1.2\n---\n',
  '%BAD\n---\n',
];
const multiDoc = fc
  .array(fc.tuple(fc.constantFrom(...SEPARATORS), fc.oneof(fc.constantFrom(...SAMPLES), soup, structured)), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.map(([sep, doc]) => sep + doc).join(''));

const ALIAS_PROGRAMS = fc
  .array(
    fc.oneof(
      fc.nat(9).map((i) => `a${i}: &x${i} [1, 2, 3]\n`),
      fc.tuple(fc.nat(9), fc.nat(9)).map(([i, j]) => `b${i}: &x${i} [*x${j}, *x${j}, *x${j}, *x${j}]\n`),
      fc.nat(9).map((i) => `c${i}: *x${i}\n`),
      fc.nat(9).map((i) => `<<: *x${i}\n`),
      fc.nat(9).map((i) => `d${i}: &x${i} {k: *x${i}}\n`),
      fc.nat(9).map((i) => `*x${i} : key alias\n`),
      fc.constantFrom(
        'kind: Pod\n',
        'apiVersion: v1\n',
        'spec: &s {containers: [{name: c, image: i}]}\n',
        'metadata: *s\n',
        '%YAML 1.1\n---\n',
      ),
    ),
    { maxLength: 25 },
  )
  .map((p) => p.join(''));

// ------------------------------------------------------------------------------------------------

describe('generated manifests (10,000 inputs)', () => {
  it('char soup, fragments and binary strings (2,500)', () => {
    fc.assert(
      fc.property(soup, (t) => void exercise(t)),
      { numRuns: 2500 },
    );
  }, 120_000);

  it('mutations of real manifests: truncation, insertion, deletion, re-indentation (3,000)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SAMPLES),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (t, ms) => void exercise(mutate(t, ms)),
      ),
      { numRuns: 3000 },
    );
  }, 120_000);

  it('valid YAML of Kubernetes-shaped objects with wrong kinds and wrongly typed fields (1,500)', () => {
    fc.assert(
      fc.property(structured, (t) => {
        const m = exercise(t);
        // Valid YAML: no errors, one document per object, and `kind` is read only when it is a string.
        for (const d of m.documents) {
          expect(d.errors, t).toEqual([]);
          expect(d.kind === null || typeof d.kind === 'string').toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('multi-document files with `---` garbage between documents (1,500)', () => {
    fc.assert(
      fc.property(multiDoc, (t) => void exercise(t)),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('anchors and aliases, merge keys, self-references (500)', () => {
    fc.assert(
      fc.property(ALIAS_PROGRAMS, (t) => {
        const m = exercise(t);
        for (const d of m.documents) {
          // Converting to data expands aliases: bounded by maxAliasCount, so it is fast or null.
          const { ms } = stats.time('alias toJSON', show(t), () => d.toJSON());
          expect(ms).toBeLessThan(1000);
        }
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it('odd unicode and line ends: BOM, RTL, lone surrogates, NUL, CRLF, CR (1,000), and CRLF reads like LF', () => {
    const transform = fc.constantFrom(
      (t: string) => '\uFEFF' + t,
      (t: string) => t.replace(/\n/g, '\r\n'),
      (t: string) => t.replace(/\n/g, '\r'),
      (t: string) => t.replace(/name: /g, 'name: \u202Eevil\u202C'),
      (t: string) => t.replace(/image: /g, 'image: \uD800'),
      (t: string) => t.replace(/: /g, ':\u0000 '),
      (t: string) => t.replace(/\n/g, '\u2028'),
      (t: string) => t.replace(/ /g, '\u00A0'),
      (t: string) => t.replace(/busybox/g, '🚀日本\uDFFF'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...SAMPLES),
        fc.array(transform, { minLength: 1, maxLength: 3 }),
        (t, fs) => void exercise(fs.reduce((acc, f) => f(acc), t)),
      ),
      { numRuns: 1000 },
    );
    // CRLF is the same manifest, at the same lines, as LF (Windows checkouts).
    for (const t of SAMPLES) {
      const lf = parseManifest(t);
      const crlf = parseManifest(t.replace(/\n/g, '\r\n'));
      expect(crlf.documents.map((d) => [d.kind, d.name, d.range.start.line, d.errors.length])).toEqual(
        lf.documents.map((d) => [d.kind, d.name, d.range.start.line, d.errors.length]),
      );
      const mutated = t.replace(/^(\s*)name:/m, '$1name: [');
      const a = parseManifest(mutated).documents.flatMap((d) => d.errors.map((e) => e.line));
      const b = parseManifest(mutated.replace(/\n/g, '\r\n')).documents.flatMap((d) => d.errors.map((e) => e.line));
      expect(b).toEqual(a);
    }
  }, 120_000);
});

// ------------------------------------------------------------------------------------------------
// The named hostile inputs: each once, with its own bound.

function hostile(name: string, text: string, probe: Probe = DEFAULT_PROBE): Manifest {
  return exercise(text, probe, hugeBoundMs(text.length), 'hostile (huge/deep/bombs)', `${name} (${text.length} chars)`);
}

function billionLaughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: laughs}\n${lines.join('\n')}\nspec: {containers: [{name: c, image: *l${levels - 1}}]}\n`;
}

/** The deepest problem, or the lack of one, is reported with a line and a clear message. */
function expectDeepHandled(m: Manifest): void {
  for (const d of m.documents) {
    for (const e of d.errors)
      if (e.code === 'RESOURCE_EXHAUSTION') expect(e.message).toMatch(/^Nested too deeply to read/);
  }
}

describe('hostile manifests', () => {
  it('billion laughs: parsing does not expand aliases, and toJSON stops at maxAliasCount (100)', () => {
    for (const [levels, width] of [
      [10, 10],
      [20, 9],
      [9, 100],
    ] as const) {
      const text = billionLaughs(levels, width);
      const m = hostile(`laughs ${levels}x${width}`, text);
      const doc = m.documents[0];
      expect(doc?.kind).toBe('Pod');
      expect(doc?.errors).toEqual([]);
      const { value, ms } = stats.time('alias toJSON', `laughs ${levels}x${width}`, () => doc?.toJSON());
      expect(value).toBeNull(); // yaml: "Excessive alias count indicates a resource exhaustion attack"
      expect(ms).toBeLessThan(1000);
      // The paths through the aliased image still resolve (to the alias node, never expanded).
      expect(doc && locatePodPath(doc, 'spec.containers[0].image')?.found).toBe(true);
    }
    // The same limit yaml documents as its default, so expansion within it still works.
    const small = parseManifest('a: &a [1, 2]\nb: [*a, *a]\n').documents[0]?.toJSON();
    expect(small).toEqual({
      a: [1, 2],
      b: [
        [1, 2],
        [1, 2],
      ],
    });
  }, 60_000);

  it('10,000 levels of nesting: flow sequences, flow maps, block sequences, mixed, anchored', () => {
    const N = 10_000;
    const cases: [string, string, string][] = [
      ['flow seq', `apiVersion: v1\nkind: Pod\nspec: ${'['.repeat(N)}${']'.repeat(N)}\n`, '[0]'.repeat(N)],
      ['flow map', `apiVersion: v1\nkind: Pod\nspec: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`, `spec${'.a'.repeat(N)}`],
      ['block seq', `apiVersion: v1\nkind: Pod\nspec:\n${'- '.repeat(N)}x\n`, `spec${'[0]'.repeat(N)}`],
      [
        'mixed',
        `apiVersion: v1\nkind: Pod\nspec: ${'{a: ['.repeat(N / 2)}${']}'.repeat(N / 2)}\n`,
        `spec${'.a[0]'.repeat(N / 2)}`,
      ],
      [
        'anchored',
        `apiVersion: v1\nkind: Pod\nspec: ${Array.from({ length: N }, (_, i) => `&x${i} [`).join('')}${']'.repeat(N)}\n`,
        'spec',
      ],
      ['unclosed', `apiVersion: v1\nkind: Pod\nspec: ${'[{'.repeat(N / 2)}\n`, 'spec'],
    ];
    for (const [name, text, deepPath] of cases) {
      const m = hostile(name, text, {
        lines: [0, 2, 3],
        cols: [0, 5, 600, 5000, 19_999],
        paths: [...POD_PATHS, deepPath],
      });
      expectDeepHandled(m);
      expect(m.documents[0]?.kind, name).toBe('Pod');
    }
  }, 120_000);

  it('nested collection keys: toJSON refuses them at once instead of stringifying every subtree', () => {
    // Found by this suite: 200 nested `{[` (2.4 KB of valid YAML) took 13 s in toJSON, 400 took 190 s.
    for (const n of [50, 400, 3000]) {
      const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: k}\nspec: ${'{['.repeat(n)}x${']: 1}'.repeat(n)}\n`;
      const m = hostile(`nested collection keys ${n}`, text);
      const { value, ms } = stats.time('alias toJSON', `nested collection keys ${n}`, () => m.documents[0]?.toJSON());
      expect(value).toBeNull();
      expect(ms).toBeLessThan(1000);
    }
    // Scalar keys of every kind still convert.
    expect(parseManifest('1: a\ntrue: b\n"q": d\n').documents[0]?.toJSON()).toEqual({ 1: 'a', true: 'b', q: 'd' });
  }, 60_000);

  it('2,000 levels of indented block mappings (2 MB)', () => {
    let text = 'apiVersion: v1\nkind: Pod\nspec:\n';
    for (let i = 1; i <= 2000; i++) text += `${' '.repeat(i)}k${i}:\n`;
    const m = hostile('deep block map', text, {
      lines: [0, 3, 1000, 2001],
      cols: [0, 500, 1001, 5000],
      paths: POD_PATHS,
    });
    expectDeepHandled(m);
  }, 60_000);

  it('huge files: 3 MB scalars, a 3 MB CRD-like document, 1 MB of short lines, 3,000 documents', () => {
    const cases: [string, string][] = [
      [
        '3 MB plain scalar',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  blob: ${'QUJD'.repeat(750_000)}\n`,
      ],
      [
        '3 MB block scalar',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  blob: |\n${Array.from({ length: 38_000 }, () => `    ${'x'.repeat(76)}`).join('\n')}\n`,
      ],
      [
        '3 MB double-quoted with escapes',
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  annotations:\n    a: "${'\\u00e9ab\\n'.repeat(250_000)}"\n`,
      ],
      [
        '3 MB CRD-like',
        `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec:\n  versions:\n${Array.from({ length: 8000 }, (_, i) => `  - name: v${i}\n    schema:\n      openAPIV3Schema:\n        description: ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor '.repeat(4)}\n        type: object`).join('\n')}\n`,
      ],
      [
        '1 MB of short lines (40,000 containers)',
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n${Array.from({ length: 20_000 }, (_, i) => `  - name: c${i}\n    image: busybox:${i}`).join('\n')}\n`,
      ],
      [
        '3,000 documents',
        Array.from(
          { length: 3000 },
          (_, i) =>
            `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec: {containers: [{name: c, image: busybox}]}`,
        ).join('\n'),
      ],
    ];
    for (const [name, text] of cases) {
      const lines = lineCount(text);
      const m = hostile(name, text, {
        lines: [0, 3, Math.floor(lines / 2), lines - 2],
        cols: [0, 4, 100, 1_000_000],
        paths: POD_PATHS,
      });
      expect(m.documents.length, name).toBeGreaterThan(0);
      for (const d of m.documents.slice(0, 50)) expect(d.errors, name).toEqual([]);
    }
  }, 180_000);

  it('no quadratic blow-up: doubling the number of keys at most roughly doubles the time', () => {
    // Found by this suite: yaml's duplicate-key check compared each key with all earlier ones, so a
    // one-line flow map of 100,000 keys (1 MB) took 175 s. parse.ts now checks duplicates in one pass.
    const flow = (n: number): string =>
      `apiVersion: v1\nkind: Pod\nspec: {${Array.from({ length: n }, (_, i) => `k${i}: v`).join(', ')}}\n`;
    const block = (n: number): string =>
      `apiVersion: v1\nkind: Pod\nspec:\n${Array.from({ length: n }, (_, i) => `  k${i}: v`).join('\n')}\n`;
    for (const [name, gen] of [
      ['flow map', flow],
      ['block map', block],
    ] as const) {
      const best = (n: number): number => {
        const text = gen(n);
        return Math.min(
          ...[0, 1].map(
            () => stats.time('hostile (huge/deep/bombs)', `${name} ${n} keys`, () => parseManifest(text)).ms,
          ),
        );
      };
      const t1 = best(10_000);
      const t2 = best(20_000);
      expect(t2 / Math.max(t1, 5), `${name}: 10k keys ${t1.toFixed(0)} ms, 20k keys ${t2.toFixed(0)} ms`).toBeLessThan(
        3.5,
      );
    }
    const wide = flow(100_000);
    const { value: m, ms } = stats.time('hostile (huge/deep/bombs)', 'flow map 100,000 keys (1 MB)', () =>
      parseManifest(wide),
    );
    expect(ms).toBeLessThan(hugeBoundMs(wide.length));
    expect(m.documents[0]?.errors).toEqual([]);
  }, 120_000);

  it('duplicate keys are still reported like yaml reports them (same line and column)', () => {
    // The linear check must agree with yaml's own (quadratic) one on every input.
    const dupKeys = fc.array(
      fc.constantFrom(
        'a: 1\n',
        'a: 2\n',
        'b: {x: 1, x: 2}\n',
        '"a": 3\n',
        '1: x\n',
        '1.0: y\n',
        'true: 1\n',
        '- a: 1\n  a: 2\n',
        '  c: 1\n',
        'c:\n  d: 1\n  d: 2\n',
        '[x: 1, x: 2]\n',
        '&k e: 1\n',
        '!!str e: 2\n',
        '---\n',
        'null: 1\n~: 2\n',
      ),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(dupKeys, (parts) => {
        const text = parts.join('');
        const docs = parseAllDocuments(text);
        const lc = (off: number): string => {
          const before = text.slice(0, off);
          return `${before.split('\n').length}:${off - (before.lastIndexOf('\n') + 1) + 1}`;
        };
        const theirDocs = Array.isArray(docs) ? docs : [];
        parseManifest(text).documents.forEach((d, i) => {
          const their = theirDocs[i];
          // Only where the YAML is otherwise valid: after a syntax error, yaml's recovery builds trees
          // its own check never saw as maps (`a: 1\n- a: 1`), so the two legitimately differ there.
          if (!their || their.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return;
          const ours = d.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => `${e.line}:${e.col}`);
          expect(ours.sort(), text).toEqual(their.errors.map((e) => lc(e.pos[0])).sort());
        });
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('the corpus manifests (test/reliability/corpus/manifests)', () => {
    const dir = join(CORPUS, 'manifests');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) exercise(readFileSync(join(dir, f), 'utf8'), DEFAULT_PROBE, SMALL_BOUND_MS, 'corpus');
  });

  it('corpus regressions: positions, duplicate keys, conversions', () => {
    const read = (f: string): string => readFileSync(join(CORPUS, 'manifests', f), 'utf8');
    const errs = (f: string): string[][] =>
      parseManifest(read(f)).documents.map((d) => d.errors.map((e) => `${e.code}@${e.line}:${e.col}`));
    // yaml's LineCounter misses the line break inside a bad multi-line token: everything after it was
    // reported a line too high (the duplicate `d` on line 7 as line 6).
    expect(errs('line-after-bad-token.yaml')).toEqual([
      [
        'UNEXPECTED_TOKEN@2:1',
        'UNEXPECTED_TOKEN@2:2',
        'UNEXPECTED_TOKEN@2:4',
        'UNEXPECTED_TOKEN@3:4',
        'UNEXPECTED_TOKEN@3:6',
      ],
      ['DUPLICATE_KEY@7:3'],
    ]);
    // A lone CR ends a line for LSP and VS Code (yaml itself does not break lines there).
    expect(errs('cr-only.yaml')[0]?.map((e) => e.replace(/@(\d+):.*/, '@$1'))).toEqual([
      'BLOCK_AS_IMPLICIT_KEY@1',
      'BLOCK_AS_IMPLICIT_KEY@2',
      'BLOCK_AS_IMPLICIT_KEY@3',
      'BLOCK_AS_IMPLICIT_KEY@4',
      'BLOCK_AS_IMPLICIT_KEY@5',
      'UNEXPECTED_TOKEN@6',
    ]);
    expect(errs('crlf.yaml')).toEqual([['BAD_INDENT@9:1'], []]);
    expect(parseManifest(read('crlf.yaml')).documents[1]?.name).toBe('ok');
    expect(errs('duplicate-keys.yaml')).toEqual([
      ['DUPLICATE_KEY@3:1', 'DUPLICATE_KEY@6:3', 'DUPLICATE_KEY@7:31', 'DUPLICATE_KEY@7:52', 'DUPLICATE_KEY@8:1'],
    ]);
    const bom = parseManifest(read('bom-rtl-nul.yaml')).documents[0];
    expect([bom?.kind, bom?.name, bom?.errors]).toEqual(['Pod', '\u202eevil\u202c', []]);
    for (const f of [
      'billion-laughs.yaml',
      'nested-collection-keys.yaml',
      'merge-key-bomb.yaml',
      'alias-self-reference.yaml',
    ]) {
      const d = parseManifest(read(f)).documents[0];
      const { value, ms } = stats.time('alias toJSON', f, () => d?.toJSON());
      expect(ms, f).toBeLessThan(1000);
      if (f !== 'merge-key-bomb.yaml') expect(value, f).toBeNull();
    }
    expect(
      parseManifest(read('doc-separator-garbage.yaml'))
        .documents.filter((d) => d.kind === 'Pod')
        .map((d) => d.name),
    ).toEqual([null, 'last']);
  });

  it('wrong kinds: a lens only for traceable string kinds, a warning for mistyped ones, nothing thrown', () => {
    const a = analyze(
      'apiVersion: v1\nkind: pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [Pod]\n---\napiVersion: v1\nkind: 42\n---\napiVersion: apps/v1\nkind: Deployments\n---\napiVersion: v1\nkind: {Pod: 1}\n',
    );
    expect(a.lenses).toEqual([]);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['pod-birth/wrong-kind', 'pod-birth/wrong-kind']);
  });
});
