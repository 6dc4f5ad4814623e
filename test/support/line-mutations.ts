// Mutations of real log lines for property tests (unit parsers, reliability): insert a fragment of
// the formats' own syntax, delete, truncate, overwrite with arbitrary code units, duplicate a slice.

import fc from 'fast-check';

export function lineMutation(fragments: readonly string[]) {
  return fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...fragments) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      text: fc.string({ unit: 'binary', maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  );
}

export type LineMutation = ReturnType<typeof lineMutation> extends fc.Arbitrary<infer T> ? T : never;

/** Applies the mutations in order; positions wrap around the current length. */
export function mutateLine(line: string, ms: readonly LineMutation[]): string {
  let s = line;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else if (m.kind === 'truncate') s = s.slice(0, at);
    else if (m.kind === 'replace') s = s.slice(0, at) + m.text + s.slice(at + m.text.length);
    else s = s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
  }
  return s;
}
