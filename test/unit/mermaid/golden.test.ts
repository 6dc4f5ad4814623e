// Golden files: the exact diagram source for hand-built traces. `UPDATE_GOLDEN=1 npx vitest run test/unit/mermaid` rewrites them.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../../src/core/model.js';
import { renderMermaid, type RenderOptions } from '../../../src/core/mermaid/index.js';
import { CRASH_LOOP, HAPPY, HOSTILE_STRINGS, INIT, PENDING, PULL_FAILURE, diag, step, trace } from './fixtures.js';
import { parseWithMermaid } from './mermaid-parser.js';

const DIR = join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Every hostile string in a different slot. */
function hostileMix(): Trace {
  const h = (i: number): string => HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] ?? '';
  return trace({
    pod: { namespace: h(0), name: h(1), uid: h(2), node: h(3) },
    runtimeVersion: h(0),
    phase: 'failed',
    steps: [
      step('created', { t: '00:00', message: h(4) }),
      step('scheduling-failed', { t: '00:00', t2: '00:10', status: 'failed', message: h(5), count: 2 }),
      step('scheduled', { t: '00:11' }),
      step('image-pull', { container: h(6), t: '00:12', t2: '00:13', message: h(7) }),
      step('image-pull-failed', { container: h(8), t: '00:14', status: 'failed', message: h(9) }),
      step('container-failed', { container: h(10), init: true, t: '00:15', status: 'failed', message: h(11) }),
      step('back-off', { container: h(12), t: '00:16', t2: '00:20', count: 5, status: 'failed', message: h(13) }),
      step('probe-failed', { container: h(14), t: '00:21', status: 'failed', message: h(15) }),
      step('sandbox-failed', { t: '00:22', status: 'failed', message: h(16) }),
    ],
    diagnosis: [
      diag('insufficient-cpu', { message: h(1), suggestion: h(2), nodes: 3 }),
      diag('probe-failing', { container: h(14), message: h(3), suggestion: h(4) }),
      diag('volume-mount-failed', { message: h(5), suggestion: h(6) }),
    ],
    notes: [
      { kind: 'degraded', message: h(7), remedy: h(8) },
      { kind: 'degraded', message: h(9) },
      { kind: 'clock-skew', message: h(10) },
    ],
  });
}

const CASES: readonly (readonly [string, Trace, RenderOptions?])[] = [
  ['pending-failed-scheduling', PENDING],
  ['happy-path-with-pull', HAPPY],
  ['init-containers', INIT],
  ['crash-loop', CRASH_LOOP],
  ['crash-loop-folded', CRASH_LOOP, { foldContainers: ['app'] }],
  ['image-pull-failure', PULL_FAILURE],
  ['hostile-strings', hostileMix()],
];

describe('golden diagrams', () => {
  it.each(CASES.map(([name, t, o]) => [name, t, o] as const))('%s', async (name, t, o) => {
    const r = renderMermaid(t, o);
    const file = join(DIR, `${name}.mmd`);
    const text = `${r.source}\n`;
    if (UPDATE || !existsSync(file)) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
    const parsed = await parseWithMermaid(r.source);
    expect(parsed.signals.filter((s) => !s.isNote)).toHaveLength(r.messages.length);
    expect(parsed.signals.filter((s) => s.isNote)).toHaveLength(r.notes.length);
  });
});
