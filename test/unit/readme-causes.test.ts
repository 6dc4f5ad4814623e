// README's list of causes is the user's reference for `cause` / `pod-birth/<cause>`: it names every
// cause of the vocabulary, and none that is not in it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/core/vocabulary.js';

describe('README causes', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Causes'), readme.indexOf('### What Pod Birth reads'));
  const listed = new Set(
    section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1] ?? '')),
  );

  it('lists every cause of the vocabulary, and nothing else', () => {
    expect([...listed].sort()).toEqual([...CAUSES].sort());
  });
});
