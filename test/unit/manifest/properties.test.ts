import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import {
  manifestContainerPath,
  documentAt,
  findPodDocument,
  formatPath,
  lineOfPodPath,
  parseManifest,
  parsePath,
  pathAt,
  podPath,
  rangeOf,
  type PathSegment,
} from '../../../src/core/manifest/index.js';
import { textOf } from './helpers.js';

const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'a.b',
    'x[0]',
    '["q"]',
    "it's",
    'kubernetes.io/hostname',
    '',
    ' ',
    '0',
    'true',
    'null',
    '-',
    '#c',
    'k: v',
    '日本',
    '🚀',
  ),
);

const segment: fc.Arbitrary<PathSegment> = fc.oneof(key, fc.nat({ max: 1000 }));

describe('path grammar', () => {
  it('parses the documented forms', () => {
    expect(parsePath('spec.containers[0].resources.requests.memory')).toEqual([
      'spec',
      'containers',
      0,
      'resources',
      'requests',
      'memory',
    ]);
    expect(parsePath('metadata.annotations["a.b/c"]')).toEqual(['metadata', 'annotations', 'a.b/c']);
    expect(parsePath("metadata.annotations['a.b/c'].x")).toEqual(['metadata', 'annotations', 'a.b/c', 'x']);
    expect(parsePath('[0][1]')).toEqual([0, 1]);
    expect(parsePath('')).toEqual([]);
    expect(parsePath('a.0')).toEqual(['a', '0']);
    for (const bad of ['a..b', '.a', 'a.', 'a[', 'a[x]', 'a[0]b', 'a["x]', 'a]']) expect(parsePath(bad)).toBeNull();
    expect(formatPath(['metadata', 'annotations', 'a.b/c'])).toBe('metadata.annotations["a.b/c"]');
    expect(formatPath(['a.b', 0, 'c'])).toBe('["a.b"][0].c');
  });

  it('property: parsePath(formatPath(s)) = s, and parsePath never throws', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segs) => {
        expect(parsePath(formatPath(segs))).toEqual(segs);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const p = parsePath(s);
        if (p) expect(parsePath(formatPath(p))).toEqual(p);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});

describe('manifest mapper properties', () => {
  it('never throws on arbitrary text, paths or positions', () => {
    const yamlish = fc.string({
      unit: fc.constantFrom(...'ab: -[]{},"\'\n\r\t#&*!|>%@`?~0123456789.kind Pod'.split('')),
      maxLength: 200,
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), yamlish),
        fc.string({ maxLength: 30 }),
        fc.nat(40),
        fc.integer({ min: -5, max: 200 }),
        (text, path, line, col) => {
          const m = parseManifest(text);
          for (const d of m.documents) {
            rangeOf(d, path);
            rangeOf(d, parsePath(path) ?? []);
            pathAt(d, line, col);
            podPath(d, path);
            manifestContainerPath(d, path);
            lineOfPodPath(d, path);
            d.toJSON();
            for (const e of d.errors) expect(e.range.start.line).toBeGreaterThanOrEqual(0);
          }
          documentAt(m, line);
          findPodDocument(m, { metadata: { name: path } });
        },
      ),
      { numRuns: 1500 },
    );
  }, 60_000);

  /** Every leaf (scalar, empty list, empty map) with its path. */
  function leaves(
    v: unknown,
    path: PathSegment[] = [],
    out: [PathSegment[], unknown][] = [],
  ): [PathSegment[], unknown][] {
    if (Array.isArray(v) && v.length > 0) v.forEach((x, i) => leaves(x, [...path, i], out));
    else if (v !== null && typeof v === 'object' && Object.keys(v).length > 0)
      for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
    else out.push([path, v]);
    return out;
  }

  const scalar = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom(
      'multi\nline\ntext',
      'x: y',
      '- a',
      '#nope',
      '"q"',
      "'s'",
      'true',
      '0x1F',
      '',
      ' lead',
      'trail ',
      '…🚀',
    ),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  }));
  const docObject = fc.dictionary(key, value.node, { minKeys: 1, maxKeys: 5 });

  it('round trip: each leaf range re-parses to the leaf, and pathAt(range start) gives the path back', () => {
    fc.assert(
      fc.property(docObject, fc.constantFrom('block', 'flow', 'crlf', 'multi'), (obj, style) => {
        let text = style === 'flow' ? stringify(obj, { collectionStyle: 'flow' }) : stringify(obj);
        let index = 0;
        if (style === 'crlf') text = text.replace(/\n/g, '\r\n');
        if (style === 'multi') {
          text = `# first\nkind: ConfigMap\n---\n${text}`;
          index = 1;
        }
        const m = parseManifest(text);
        const d = m.documents[index];
        expect(d).toBeDefined();
        if (!d) return;
        expect(d.errors).toEqual([]);
        expect(d.toJSON()).toEqual(obj);
        for (const [segs, leaf] of leaves(obj)) {
          const r = rangeOf(d, segs);
          expect(r.found, formatPath(segs)).toBe(true);
          expect(r.path).toBe(formatPath(segs));
          const slice = textOf(text, r.range);
          expect(parseYaml(`${slice}\n`) as unknown, `${formatPath(segs)} ← ${JSON.stringify(slice)}`).toEqual(leaf);
          const back = pathAt(d, r.range.start.line, r.range.start.col);
          expect(back?.path, `${formatPath(segs)} at ${JSON.stringify(r.range.start)}`).toBe(formatPath(segs));
          expect(documentAt(m, r.range.start.line)).toBe(d);
        }
      }),
      { numRuns: 600 },
    );
  }, 60_000);
});
