// The diagram of the failure cases: every attempt of a restarting container keeps its CRI arrows
// until there are many, then the middle attempts fold into one arrow; the new causes' notes follow
// their own step; and the recorded restarts (attempts 0, 1, 2) stay whole.

import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../../src/core/mermaid/index.js';
import type { Step } from '../../../src/core/model.js';
import { recordedTrace } from '../../support/recorded.js';
import { diag, step, trace } from './fixtures.js';
import { parseWithMermaid } from './mermaid-parser.js';

/** One run of container `app`: create, start, exit, at minute `m`. */
function attempt(a: number, m: number): Step[] {
  const t = (s: number) => `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return [
    step('container-created', { container: 'app', attempt: a, t: t(0), t2: t(1), source: 'runtime-log' }),
    step('container-started', { container: 'app', attempt: a, t: t(1), t2: t(2), source: 'runtime-log' }),
    step('container-failed', { container: 'app', attempt: a, t: t(2), t2: t(5), status: 'failed', message: 'exit 1' }),
  ];
}

describe('restarts in the diagram', () => {
  it('keeps each attempt of the recorded restarts (0, 1, 2) with its own CRI arrows', () => {
    const src = renderMermaid(recordedTrace('restart-attempts')).source;
    expect(src).toMatch(/CreateContainer main \d/);
    expect(src).toMatch(/CreateContainer main \(restart 1\)/);
    expect(src).toMatch(/CreateContainer main \(restart 2\)/);
    expect(src).not.toMatch(/restarts 1/);
  });

  it('folds the middle attempts of a container restarted many times into one arrow', async () => {
    const steps = [0, 1, 2, 3, 4, 5].flatMap((a) => attempt(a, a));
    const d = renderMermaid(trace({ steps, phase: 'failed', diagnosis: [diag('crash-loop', { container: 'app' })] }));
    const lines = d.source.split('\n');
    expect(lines.filter((l) => l.includes('restarts 1–4'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('(restart 5)'))).toBe(true);
    expect(lines.some((l) => l.includes('(restart 2)'))).toBe(false);
    // first run (3) + the folded middle (1) + the last attempt (3)
    expect(d.messages).toHaveLength(7);
    await parseWithMermaid(d.source);
  });
});

describe('notes of the new causes follow their step', () => {
  it('start-error after the failed start, deadline-exceeded after its own arrow, gates over the scheduler', () => {
    const steps = [
      step('created', { t: '00:00' }),
      step('scheduling-gated', { t: '00:00', t2: '00:03', yamlPath: 'spec.schedulingGates' }),
      step('scheduled', { t: '00:03' }),
      step('container-created', { container: 'app', t: '00:04' }),
      step('container-failed', { container: 'app', t: '00:04', status: 'failed', message: 'could not start' }),
      step('deadline-exceeded', { t: '00:09', status: 'failed', message: 'Pod was active on the node longer' }),
    ];
    const src = renderMermaid(
      trace({
        steps,
        phase: 'failed',
        diagnosis: [diag('scheduling-gated'), diag('start-error', { container: 'app' }), diag('deadline-exceeded')],
      }),
    ).source.split('\n');
    const at = (needle: string) => src.findIndex((l) => l.includes(needle));
    expect(at('Note over kube-scheduler: scheduling-gated')).toBe(at('scheduling gated') + 1);
    expect(at('start-error –')).toBeGreaterThan(at('container failed app'));
    expect(at('start-error –')).toBeLessThan(at('active deadline exceeded'));
    expect(at('deadline-exceeded –')).toBeGreaterThan(at('active deadline exceeded'));
  });
});
