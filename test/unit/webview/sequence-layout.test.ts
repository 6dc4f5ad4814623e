// Where the page puts the diagram (webview/diagram/sequence-layout.ts), with a fixed-advance font: the
// lanes share the panel width, so every participant is on screen at the default split (~620 px) and
// at 500 px; labels and notes stay inside the diagram, cut or wrapped, never wider than the panel.

import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../../src/core/mermaid/index.js';
import { traceFromEvidence } from '../../../src/core/trace/index.js';
import { MIN_LANE, fitText, layoutSequence, wrapText, type Metrics } from '../../../webview/diagram/sequence-layout.js';
import { mergeLanes, parseSequence, type SeqModel } from '../../../webview/diagram/sequence.js';
import { CRASH_LOOP, PENDING } from '../mermaid/fixtures.js';
import { allEvidence } from '../trace/realistic.js';

/** DejaVu Sans at 13 px is ~7.5 px a character; names (12 px) ~6.9. */
const M: Metrics = { fontSize: 13, measure: (t, name) => Array.from(t).length * (name ? 6.9 : 7.5) };

const model = (source: string): SeqModel => {
  const m = parseSequence(source);
  if (!m) throw new Error('unreadable source');
  return m;
};

describe('layoutSequence', () => {
  const real = model(renderMermaid(traceFromEvidence(allEvidence())).source);

  it('fits all eight participants of a real birth into a 620 px panel, names in at most two lines', () => {
    const l = layoutSequence(real, 620, M);
    expect(l.width).toBe(620);
    expect(l.lanes.map((x) => x.id)).toHaveLength(8);
    for (const lane of l.lanes) {
      expect(lane.boxX).toBeGreaterThanOrEqual(0);
      expect(lane.boxX + lane.boxW).toBeLessThanOrEqual(620);
      expect(lane.lines.length).toBeLessThanOrEqual(2);
      for (const line of lane.lines) expect(M.measure(line, true)).toBeLessThanOrEqual(lane.boxW);
      expect(lane.lines.join(' ')).not.toContain('…');
    }
    // Lanes do not overlap.
    for (let i = 1; i < l.lanes.length; i++) {
      const a = l.lanes[i - 1];
      const b = l.lanes[i];
      if (!a || !b) continue;
      expect(b.boxX).toBeGreaterThanOrEqual(a.boxX + a.boxW);
    }
    // Names too long for a lane lose their `kube-` prefix before anything is cut.
    expect(l.lanes.find((x) => x.id === 'kube-scheduler')?.lines).toEqual(['scheduler']);
  });

  it('keeps every label inside the diagram; a label longer than the panel is cut with …', () => {
    const long = model(
      `sequenceDiagram\nparticipant kubelet as kubelet\nparticipant cri-runtime as containerd\nkubelet->>cri-runtime: ${'PullImage registry.example.com/team/app '.repeat(4)}\nkubelet->>kubelet: back-off app`,
    );
    const l = layoutSequence(long, 400, M);
    for (const r of l.rows) {
      if (r.kind !== 'message') continue;
      expect(r.label.x).toBeGreaterThanOrEqual(0);
      expect(r.label.x + M.measure(r.label.text)).toBeLessThanOrEqual(400);
    }
    const first = l.rows[0];
    expect(first?.kind === 'message' && first.cut && first.label.text.endsWith('…')).toBe(true);
    const self = l.rows[1];
    expect(self?.kind === 'message' && self.self && self.x2 > self.x1).toBe(true);
  });

  it('wraps notes inside a box no wider than the panel, rows one below the other', () => {
    const l = layoutSequence(model(renderMermaid(CRASH_LOOP).source), 620, M);
    expect(l.width).toBe(620);
    let y = 0;
    for (const r of l.rows) {
      expect(r.y).toBeGreaterThanOrEqual(y);
      y = r.y + r.h;
      if (r.kind !== 'note') continue;
      expect(r.boxX).toBeGreaterThanOrEqual(0);
      expect(r.boxX + r.boxW).toBeLessThanOrEqual(l.width);
      for (const line of r.lines) expect(M.measure(line.text)).toBeLessThanOrEqual(r.boxW - 16 + 0.01);
    }
    expect(l.height).toBeGreaterThanOrEqual(y);
  });

  it('below MIN_LANE per participant the lanes stop shrinking (the page merges lanes first)', () => {
    const l = layoutSequence(real, 300, M);
    expect(l.width).toBe(8 + 8 * MIN_LANE);
    const merged = layoutSequence(mergeLanes(real, { etcd: 'kube-apiserver', 'oci-runtime': 'cri-runtime' }), 500, M);
    expect(merged.lanes).toHaveLength(6);
    expect(merged.width).toBe(500);
    expect(merged.lanes.find((x) => x.id === 'kube-apiserver')?.lines).toEqual(['apiserver', '+ etcd']);
  });

  it('a pending pod (three participants) uses the width too, lanes capped at 220 px', () => {
    const l = layoutSequence(model(renderMermaid(PENDING).source), 2000, M);
    for (const lane of l.lanes) expect(lane.boxW).toBeLessThanOrEqual(220);
    expect(l.lanes[1]?.x ?? 0).toBeGreaterThan(l.lanes[0]?.x ?? 0);
  });
});

describe('fitText and wrapText', () => {
  it('cut at code points (never half an emoji) and wrap at spaces, breaking a word only when it must', () => {
    expect(fitText('short', 100, M)).toBe('short');
    const cut = fitText('🚀'.repeat(30), 60, M);
    expect(cut.endsWith('…')).toBe(true);
    expect(Array.from(cut).every((c) => c === '🚀' || c === '…')).toBe(true);
    expect(wrapText('alpha beta gamma delta', 80, M)).toEqual(['alpha beta', 'gamma', 'delta']);
    const hard = wrapText('x'.repeat(40), 75, M);
    expect(hard.join('')).toBe('x'.repeat(40));
    for (const line of hard) expect(M.measure(line)).toBeLessThanOrEqual(75);
  });
});
