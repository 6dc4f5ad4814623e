// Shared shapes and helpers of the benchmark sections: summary statistics (median, p95, p99 by
// nearest rank over repeated runs), rows with an optional goal, and writing one section's result
// to bench/results/sections/<id>.json for bench/run.mjs to aggregate. Nothing here asserts: the
// bench measures and reports; goals are compared, never enforced.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root: bench/lib/report.ts → ../.. (the section bundles replace __dirname with the source dir). */
export const ROOT = resolve(__dirname, '..', '..');
export const RESULTS = join(ROOT, 'bench', 'results');

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile (p in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  return {
    n,
    median: percentile(finite, 50),
    p95: percentile(finite, 95),
    p99: percentile(finite, 99),
    min: n ? Math.min(...finite) : Number.NaN,
    max: n ? Math.max(...finite) : Number.NaN,
    mean: n ? finite.reduce((a, b) => a + b, 0) / n : Number.NaN,
  };
}

export type Stat = 'median' | 'p95' | 'p99' | 'max' | 'value';

export interface Goal {
  /** Which statistic the goal is about. */
  readonly stat: Stat;
  readonly op: '<=' | '>=' | '==';
  readonly value: number;
  /** The goal as written in the issue, e.g. "≤ 10 ms p50 above kubectl". */
  readonly text: string;
}

export interface Row {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  /** Repeated runs: summary of all samples. Single values: n = 1 and every field the value. */
  readonly summary: Summary;
  readonly goal?: Goal;
  /** Set when a goal exists: whether it was met and by how much (measured − goal, in `unit`). */
  readonly met?: boolean;
  readonly margin?: number;
  /** A comparison measured in the same run: this row's median / the other row's median. */
  readonly ratio?: { readonly vs: string; readonly value: number };
  readonly detail?: string;
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly status: 'ok' | 'skipped' | 'error';
  /** Why a section was skipped or failed. */
  readonly reason?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly rows: Row[];
  readonly notes: string[];
  /** Free-form facts (counts, versions, breakdowns) kept in latest.json. */
  readonly facts: Record<string, unknown>;
}

export function single(v: number): Summary {
  return { n: 1, median: v, p95: v, p99: v, min: v, max: v, mean: v };
}

function statOf(s: Summary, stat: Stat): number {
  return stat === 'value' ? s.median : s[stat];
}

/** A row, with the goal evaluated (never thrown). */
export function row(
  id: string,
  what: string,
  unit: string,
  values: readonly number[] | number,
  extra: { goal?: Goal; detail?: string } = {},
): Row {
  const summary = typeof values === 'number' ? single(values) : summarize(values);
  const out: Row = { id, what, unit, summary, ...(extra.detail ? { detail: extra.detail } : {}) };
  if (!extra.goal) return out;
  const v = statOf(summary, extra.goal.stat);
  const met = !Number.isFinite(v)
    ? false
    : extra.goal.op === '<='
      ? v <= extra.goal.value
      : extra.goal.op === '>='
        ? v >= extra.goal.value
        : v === extra.goal.value;
  return { ...out, goal: extra.goal, met, margin: v - extra.goal.value };
}

/** Adds `ratio = this.median / other.median` (same run). */
export function withRatio(r: Row, other: Row): Row {
  const value = r.summary.median / other.summary.median;
  return { ...r, ratio: { vs: other.id, value } };
}

export class Section {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  readonly facts: Record<string, unknown> = {};
  private readonly started = Date.now();

  constructor(
    readonly id: string,
    readonly title: string,
  ) {
    console.log(`[${id}] started ${new Date(this.started).toISOString()}`);
  }

  add(r: Row): Row {
    this.rows.push(r);
    return r;
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`[${this.id}] ${text}`);
  }

  log(text: string): void {
    console.log(`[${this.id}] ${text}`);
  }

  write(status: SectionResult['status'] = 'ok', reason?: string): SectionResult {
    const result: SectionResult = {
      id: this.id,
      title: this.title,
      status,
      ...(reason ? { reason } : {}),
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      rows: this.rows,
      notes: this.notes,
      facts: this.facts,
    };
    const dir = join(RESULTS, 'sections');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${this.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  }
}

/**
 * Runs a section's body and always writes its result: `skip(reason)` inside the body ends it as
 * skipped (e.g. no cluster), an exception as error. Exit code 0 either way unless the error is ours
 * to report (the orchestrator shows status per section).
 */
export class Skip extends Error {}

export async function runSection(section: Section, body: (s: Section) => Promise<void>): Promise<void> {
  // Whatever timers the product left (a session's settle timer), the section ends when its body has.
  const exit = (): void => void setTimeout(() => process.exit(), 200).unref();
  try {
    await body(section);
    section.write('ok');
  } catch (e) {
    if (e instanceof Skip) {
      section.note(`skipped: ${e.message}`);
      section.write('skipped', e.message);
    } else {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      console.error(`[${section.id}] error: ${msg}`);
      section.write('error', e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    }
  }
  exit();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Milliseconds rounded to 0.01 for JSON. */
export const r2 = (x: number): number => Math.round(x * 100) / 100;
