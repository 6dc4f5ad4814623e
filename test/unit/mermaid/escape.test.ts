import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanMermaidText, decodeMermaidText, escapeMermaidText } from '../../../src/core/mermaid/index.js';
import { HOSTILE_STRINGS } from './fixtures.js';

/** What may remain of an escaped text once its entity codes are removed: nothing Mermaid reacts to. */
const FORBIDDEN = /[\n\r\u2028\u2029;#%:<>&"'{}|`\\=$+\uFB02\u00B6]|--|-[>x)(]|<-|\(\)|\/\/|-\/|\/-/;
const CODE = /#\d{1,7};/g;

function residue(escaped: string): string {
  return escaped.replace(CODE, '\u0001');
}

describe('escapeMermaidText', () => {
  it.each([
    [';', '#59;'],
    ['#', '#35;'],
    ['<', '#60;'],
    ['>', '#62;'],
    [':', '#58;'],
    ['"', '#34;'],
    ["'", '#39;'],
    ['%', '#37;'],
    ['{', '#123;'],
    ['}', '#125;'],
    ['&', '#38;'],
    ['|', '#124;'],
    ['`', '#96;'],
    ['\\', '#92;'],
    ['=', '#61;'],
    ['$', '#36;'],
    ['+', '#43;'],
  ])('encodes %j as %s', (c, code) => {
    expect(escapeMermaidText(`a${c}b`)).toBe(`a${code}b`);
  });

  it('keeps ordinary text readable', () => {
    expect(escapeMermaidText('PullImage registry.k8s.io/pause 3.10 my-app (init) ×3')).toBe(
      'PullImage registry.k8s.io/pause 3.10 my-app (init) ×3',
    );
  });

  it('encodes dashes and slashes that could form arrows', () => {
    expect(escapeMermaidText('a->>b')).toBe('a#45;#62;#62;b');
    expect(escapeMermaidText('a-->b --x c -) d')).toBe('a#45;#45;#62;b #45;#45;x c #45;) d');
    expect(escapeMermaidText('x -// y')).toBe('x #45;#47;#47; y');
    expect(escapeMermaidText('-lead trail-')).toBe('#45;lead trail#45;');
    expect(escapeMermaidText('--node-log')).toBe('#45;#45;node-log');
    expect(escapeMermaidText('call()')).toBe('call#40;)');
  });

  it('replaces line breaks and control characters by one space', () => {
    expect(escapeMermaidText('a\nb\r\nc\td\u0000e\u2028f\u2029g\u0085h\u202ei')).toBe('a b c d e f g h i');
    expect(escapeMermaidText('  \n  ')).toBe('');
  });

  it('cannot start a directive, comment or statement', () => {
    const out = escapeMermaidText("\"\n%%{init: {'theme':'dark'}}%%\nparticipant evil");
    expect(out).toBe(
      '#34; #37;#37;#123;init#58; #123;#39;theme#39;#58;#39;dark#39;#125;#125;#37;#37; participant evil',
    );
    expect(out).not.toMatch(/%%|\n/);
  });

  it('neutralises markup, KaTeX and Mermaid entity markers', () => {
    expect(escapeMermaidText('<script>alert(1)</script>')).toBe('#60;script#62;alert(1)#60;/script#62;');
    expect(escapeMermaidText('$$x$$')).toBe('#36;#36;x#36;#36;');
    expect(escapeMermaidText('ﬂ°°60¶ß')).toBe('#64258;°°60#182;ß');
    expect(escapeMermaidText('#59;')).toBe('#35;59#59;');
  });

  it('truncates to maxLen code points with an ellipsis, never splitting a surrogate pair', () => {
    expect(escapeMermaidText('x'.repeat(10_000))).toBe(`${'x'.repeat(119)}…`);
    expect(escapeMermaidText('abcdef', 4)).toBe('abc…');
    expect(escapeMermaidText('🚀🚀🚀🚀', 3)).toBe('🚀🚀…');
    expect(cleanMermaidText('abc', 3)).toBe('abc');
    expect(escapeMermaidText('a;b;c;d', 3)).toBe('a#59;…');
  });

  it('replaces lone surrogates and tolerates non-strings', () => {
    expect(escapeMermaidText('a\ud800b')).toBe('a\ufffdb');
    expect(escapeMermaidText(undefined)).toBe('');
    expect(escapeMermaidText(null)).toBe('');
    expect(escapeMermaidText(42)).toBe('42');
    expect(escapeMermaidText('abc', Number.NaN)).toBe('abc');
    expect(escapeMermaidText('abc', -1)).toBe('abc');
  });

  it.each(HOSTILE_STRINGS.map((s) => [s.slice(0, 40), s]))('hostile %j leaves no structural character', (_, s) => {
    const out = escapeMermaidText(s);
    expect(residue(out)).not.toMatch(FORBIDDEN);
    expect(decodeMermaidText(out)).toBe(cleanMermaidText(s));
  });

  it('property: no structural residue, lossless decode, bounded length', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...';#%:<>&"\'{}|`\\=$+-/()x\n\r \u2028ﬂ°¶ß'.split('')), maxLength: 60 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 200 }), (s, max) => {
        const out = escapeMermaidText(s, max);
        expect(residue(out)).not.toMatch(FORBIDDEN);
        const decoded = decodeMermaidText(out);
        expect(decoded).toBe(cleanMermaidText(s, max));
        expect(Array.from(decoded).length).toBeLessThanOrEqual(max);
        expect(escapeMermaidText(s, max)).toBe(out); // deterministic
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});
