import mermaid from 'mermaid';
import { describe, expect, it } from 'vitest';
import {
  buildRolloutReport,
  csvField,
  toCsv,
  toGantt,
  toMarkdown,
  toText,
  type RolloutPod,
} from '../../../src/core/rollout/index.js';
import { decodeMarkers } from '../mermaid/mermaid-parser.js';
import { HOSTILE_STRINGS } from '../mermaid/fixtures.js';

function pod(name: string, i: number, extra: Partial<RolloutPod> = {}): RolloutPod {
  const phases = { schedule: 10 + i, sandbox: 900, pull: 0, create: 20, start: 50, ready: 300 };
  let t = 0;
  const spans: Record<string, readonly [number, number]> = {};
  for (const [k, v] of Object.entries(phases)) {
    spans[k] = [t, t + v];
    t += v;
  }
  return {
    name,
    uid: `uid-${i}`,
    node: 'node-a',
    phases,
    spans,
    sloStartupMs: t - 300,
    totalMs: t,
    outcome: 'ready',
    createdAtMs: 1_800_000_000_000 + i * 7,
    ...extra,
  };
}

const W = { kind: 'Deployment', namespace: 'ns', name: 'web' };

interface GanttTask {
  readonly task: string;
  readonly section: string;
  readonly startTime: Date;
  readonly endTime: Date;
}

/**
 * Mermaid's Gantt parser in Node. The title goes through DOMPurify, which needs a DOM: it is taken out
 * before parsing and returned as written (the lexer's `title\s[^\n]+` takes the rest of its line).
 */
async function parseGantt(source: string): Promise<{ config: unknown; tasks: GanttTask[]; title: string }> {
  const titleLine = source.split('\n').find((l) => l.startsWith('    title ')) ?? '';
  const rest = source.replace(`${titleLine}\n`, '');
  const r = await mermaid.parse(rest);
  if (!r) throw new Error('not parsed');
  const d = (await mermaid.mermaidAPI.getDiagramFromText(rest)) as unknown as { db: { getTasks(): GanttTask[] } };
  return {
    config: r.config,
    tasks: d.db.getTasks().map((t) => ({ ...t, task: t.task.trim() })),
    title: titleLine.slice('    title '.length),
  };
}

describe('Mermaid Gantt', () => {
  it("parses with Mermaid's own parser: one section per pod, its phases at their times", async () => {
    const r = buildRolloutReport(W, [pod('web-1', 0), pod('web-2', 1)], { live: false });
    const g = await parseGantt(toGantt(r));
    expect(g.config).toEqual({ gantt: { displayMode: 'compact' } });
    const sections = [...new Set(g.tasks.map((t) => t.section))];
    expect(sections).toEqual(['web-1', 'web-2']);
    const sched2 = g.tasks.find((t) => t.section === 'web-2' && t.task === 'schedule');
    // web-2 was created 7 ms after web-1: its scheduling starts 7 ms into the chart and lasts 11 ms.
    expect(sched2?.startTime.getTime()).toBe(7);
    expect((sched2?.endTime.getTime() ?? 0) - (sched2?.startTime.getTime() ?? 0)).toBe(11);
    // A zero-length pull (image present) is not drawn.
    expect(g.tasks.filter((t) => t.task === 'pull')).toHaveLength(0);
    expect(g.tasks).toHaveLength(2 * 5);
  });

  it('hostile pod names stay section titles: no directive, no comment, no extra task, no keyword', async () => {
    const pods = HOSTILE_STRINGS.map((s, i) => pod(s, i));
    const r = buildRolloutReport({ kind: 'Deployment', namespace: 'ns', name: 'x\ntitle owned' }, pods, {
      live: false,
    });
    const source = toGantt(r, { maxPods: 1000 });
    const g = await parseGantt(source);
    expect(g.config).toEqual({ gantt: { displayMode: 'compact' } });
    expect(g.tasks).toHaveLength(pods.filter((p) => p.name !== undefined).length * 5);
    expect(new Set(g.tasks.map((t) => t.task))).toEqual(new Set(['schedule', 'sandbox', 'create', 'start', 'ready']));
    // Every line the chart has is ours: a header line, a section or a task.
    for (const line of source.trimEnd().split('\n').slice(4))
      expect(line).toMatch(
        /^ {4}(title |dateFormat x$|axisFormat |section |(schedule|sandbox|pull|create|start|ready) :p\d+)/,
      );
    expect(decodeMarkers(g.title)).toContain('title owned');
  });

  it('draws the slowest pods only when there are more than maxPods', async () => {
    const pods = Array.from({ length: 30 }, (_v, i) => pod(`p-${i}`, i));
    const g = await parseGantt(toGantt(buildRolloutReport(W, pods, { live: false }), { maxPods: 5 }));
    expect([...new Set(g.tasks.map((t) => t.section))]).toEqual(['p-25', 'p-26', 'p-27', 'p-28', 'p-29']);
  });
});

/** RFC 4180 parser for the test (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('CSV', () => {
  it('round-trips hostile text through an RFC 4180 parser; formulas are defused', () => {
    const pods = HOSTILE_STRINGS.map((s, i) => pod(`n${i}`, i, { reason: { cause: 'cold-pull', text: s } }));
    const csv = toCsv(buildRolloutReport(W, pods, { live: false }));
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(pods.length + 1);
    const header = rows[0] as string[];
    const col = (n: string): number => header.indexOf(n);
    expect(col('schedule_ms')).toBeGreaterThan(0);
    for (const [i, s] of HOSTILE_STRINGS.entries()) {
      const row = rows.find((r) => r[0] === `n${i}`) as string[];
      expect(row).toHaveLength(header.length);
      expect(row[col('reason_text')]).toBe(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      expect(row[col('schedule_ms')]).toBe(String(10 + i));
    }
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(undefined)).toBe('');
  });
});

describe('Markdown and text', () => {
  it('states the verdict, the percentiles and the slowest pods with their reason', () => {
    const pods = Array.from({ length: 20 }, (_v, i) => pod(`web-${i}`, i));
    pods.push(pod('web-slow', 20, { phases: { ...pods[0]!.phases, pull: 4000 }, totalMs: 6000, sloStartupMs: 1300 }));
    const r = buildRolloutReport(W, pods, { live: false });
    expect(r.slowest[0]).toBe('web-slow');
    const md = toMarkdown(r);
    expect(md).toContain('**SLO met**');
    // schedule: 10..29 ms for web-0..19 and 10 for web-slow; nearest rank of 21 values: p50 is the
    // 11th (19), p90 the 19th (27), p99 the 21st (29).
    expect(md).toMatch(/\| schedule \| 19ms \| 27ms \| 29ms \| 29ms \| 21 \|/);
    expect(md).toContain('| web\\-slow |'.replace('\\-', '-'));
    expect(md).toContain('a cold node');
    expect(md).toContain('```mermaid\n---\ndisplayMode: compact');
    const text = toText(r);
    expect(text).toContain('SLO: p99 SLO startup');
    expect(text).toMatch(/web-slow {2}on node-a {2}total 6\.00s/);
  });

  it('a pod name cannot inject Markdown or HTML', () => {
    const r = buildRolloutReport(W, [pod('<img src=x onerror=alert(1)>|[a](http://x)', 0)], { live: false });
    const md = toMarkdown(r).split('```mermaid')[0] ?? '';
    expect(md).not.toContain('<img');
    expect(md).not.toContain('[a](');
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;\\|\\[a\\]\\(http://x\\)');
  });
});
