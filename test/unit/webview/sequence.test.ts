// The diagram page reads the core generator's Mermaid source back (webview/diagram/sequence.ts) and
// draws it itself: every source the generator writes must read back completely, statement for
// statement, with the n-th arrow still messages[n]; anything else must be refused, never guessed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMermaidText, renderMermaid } from '../../../src/core/mermaid/index.js';
import type { Step } from '../../../src/core/model.js';
import { ACTORS } from '../../../src/core/vocabulary.js';
import { mergeLanes, parseSequence, type SeqModel } from '../../../webview/diagram/sequence.js';
import { recordedScenarios, recordedTrace } from '../../support/recorded.js';
import { CRASH_LOOP, HOSTILE_STRINGS, PENDING, hostile } from '../mermaid/fixtures.js';

const GOLDEN = join(__dirname, '..', 'mermaid', 'golden');

function counts(m: SeqModel): { messages: number; notes: number } {
  return {
    messages: m.rows.filter((r) => r.kind === 'message').length,
    notes: m.rows.filter((r) => r.kind === 'note').length,
  };
}

describe('parseSequence', () => {
  it('reads every golden diagram completely: participants, arrows, notes, in order', () => {
    const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.mmd'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const source = readFileSync(join(GOLDEN, f), 'utf8').trimEnd();
      const model = parseSequence(source);
      expect(model, f).not.toBeNull();
      const lines = source.split('\n').slice(1);
      const m = model as SeqModel;
      expect(m.participants.length + m.rows.length, f).toBe(lines.length);
      m.rows
        .filter((r) => r.kind === 'message')
        .forEach((r, i) => {
          expect(r.n).toBe(i);
        });
    }
  });

  it('decodes entity codes to plain text and keeps note lines apart', () => {
    const model = parseSequence(readFileSync(join(GOLDEN, 'crash-loop.mmd'), 'utf8').trimEnd()) as SeqModel;
    // Every actor of the vocabulary, in its order.
    expect(model.participants.map((p) => p.id)).toEqual([...ACTORS]);
    expect(model.participants.find((p) => p.id === 'cri-runtime')?.label).toBe('containerd 1.7.27');
    const failed = model.rows.find((r) => r.kind === 'message' && r.style === 'cross');
    expect(failed).toMatchObject({ from: 'container', to: 'kubelet', text: 'container failed app' });
    const note = model.rows.find((r) => r.kind === 'note');
    expect(note).toMatchObject({
      from: 'container',
      to: 'container',
      lines: ['Error: exit code 1: panic: cannot read /etc/app/config.yaml'],
    });
    const backOff = model.rows.find((r) => r.kind === 'message' && r.from === 'kubelet' && r.to === 'kubelet');
    expect(backOff).toMatchObject({ style: 'cross', text: 'back-off app 2m27s ×5' });
  });

  it('reads the diagram of every recorded birth, with as many arrows and notes as the generator says', () => {
    for (const scenario of recordedScenarios()) {
      const d = renderMermaid(recordedTrace(scenario));
      const model = parseSequence(d.source);
      expect(model, scenario).not.toBeNull();
      expect(counts(model as SeqModel), scenario).toEqual({ messages: d.messages.length, notes: d.notes.length });
    }
  });

  it('reads hostile cluster text back as plain text, statement for statement (no markup, no new statement)', () => {
    for (const h of HOSTILE_STRINGS) {
      const d = renderMermaid(hostile(h));
      const model = parseSequence(d.source);
      expect(model, h.slice(0, 40)).not.toBeNull();
      const m = model as SeqModel;
      expect(counts(m)).toEqual({ messages: d.messages.length, notes: d.notes.length });
      expect(m.participants.length).toBeLessThanOrEqual(8);
      // What the page shows is what the escaped source decodes to: the cleaned cluster text.
      const labels = d.source.split('\n').filter((l) => !l.startsWith('participant') && !l.startsWith('Note'));
      m.rows
        .filter((r) => r.kind === 'message')
        .forEach((r, i) => {
          if (r.kind === 'message') expect(decodeMermaidText(labels[i + 1] ?? '')).toContain(r.text);
        });
    }
  });

  it('stays complete for generated traces of any shape (property)', () => {
    const kinds = CRASH_LOOP.steps.map((s) => s.kind);
    const arb = fc.array(
      fc.record({
        k: fc.nat(kinds.length - 1),
        container: fc.option(fc.constantFrom(...HOSTILE_STRINGS, 'app', 'init'), { nil: null }),
        status: fc.constantFrom('done', 'failed', 'in-progress'),
        message: fc.string({ maxLength: 40 }),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, fc.boolean(), (specs, collapse) => {
        const steps = specs.map((x, i): Step => ({
          ...(CRASH_LOOP.steps[x.k] as Step),
          id: `s${i}`,
          kind: kinds[x.k] as Step['kind'],
          container: x.container,
          status: x.status as Step['status'],
          message: x.message,
        }));
        const d = renderMermaid({ ...PENDING, steps }, { collapseRepeats: collapse, maxSteps: 500 });
        const model = parseSequence(d.source);
        expect(model).not.toBeNull();
        expect(counts(model as SeqModel)).toEqual({ messages: d.messages.length, notes: d.notes.length });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what the generator never writes', () => {
    const head = 'sequenceDiagram\nparticipant kubelet as kubelet\nparticipant etcd as etcd';
    for (const bad of [
      'graph TD',
      `${head}\nkubelet->>nobody: x`,
      `${head}\nkubelet-)etcd: x`,
      `${head}\nloop every 1s`,
      `${head}\n%%{init: {"theme":"dark"}}%%`,
      `${head}\nNote over nobody: x`,
      `${head}\nkubelet->>etcd: x\nparticipant late as late`,
      'sequenceDiagram',
    ])
      expect(parseSequence(bad), bad).toBeNull();
  });
});

describe('mergeLanes', () => {
  const source = readFileSync(join(GOLDEN, 'crash-loop.mmd'), 'utf8').trimEnd();
  const model = parseSequence(source) as SeqModel;
  const merged = mergeLanes(model, { etcd: 'kube-apiserver', 'oci-runtime': 'cri-runtime' });

  it('draws etcd in the apiserver lane and runc in the runtime lane, and says so in their names', () => {
    expect(merged.participants.map((p) => p.id)).toEqual([
      'user',
      'kube-apiserver',
      'kube-scheduler',
      'kubelet',
      'cri-runtime',
      'container',
    ]);
    expect(merged.participants.find((p) => p.id === 'kube-apiserver')?.label).toBe('kube-apiserver\n+ etcd');
    expect(merged.participants.find((p) => p.id === 'cri-runtime')?.label).toBe('containerd 1.7.27\n+ runc');
  });

  it('keeps every statement, its order and its ordinal (the n-th arrow is still step n)', () => {
    expect(merged.rows.length).toBe(model.rows.length);
    merged.rows.forEach((r, i) => {
      const o = model.rows[i];
      expect(r.kind).toBe(o?.kind);
      expect(r.n).toBe(o?.n);
    });
    expect(merged.rows.find((r) => r.kind === 'message' && r.text === 'persist')).toMatchObject({
      from: 'kube-apiserver',
      to: 'kube-apiserver',
    });
    const start = merged.rows.find((r) => r.kind === 'message' && r.text.startsWith('StartContainer'));
    expect(start).toMatchObject({ from: 'cri-runtime', to: 'container' });
  });

  it('leaves a diagram without those participants alone', () => {
    const small = parseSequence(renderMermaid(PENDING).source) as SeqModel;
    const ids = small.participants.map((p) => p.id);
    const out = mergeLanes(small, { etcd: 'kube-apiserver', 'oci-runtime': 'cri-runtime' });
    expect(out.participants.map((p) => p.id)).toEqual(
      ids.filter((i) => i !== 'etcd' || !ids.includes('kube-apiserver')),
    );
  });
});
