// Shared by the reliability suite: a fixed fast-check seed (override with RELIABILITY_SEED=<n>), timing
// of every input, and the per-file numbers printed at the end of each file (inputs tried, slowest input).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll } from 'vitest';

export const ROOT = join(__dirname, '..', '..');
export const CORPUS = join(__dirname, 'corpus');
export const RECORDED = join(ROOT, 'test', 'fixtures', 'recorded');

/** A fixed seed makes a red run reproducible and CI deterministic; RELIABILITY_SEED explores further. */
export const SEED = process.env.RELIABILITY_SEED !== undefined ? Number(process.env.RELIABILITY_SEED) : 20_261_123;
fc.configureGlobal({ seed: SEED, interruptAfterTimeLimit: undefined });

export interface Slowest {
  readonly label: string;
  readonly ms: number;
}

/** Counts inputs and keeps the slowest per group, so a report can say "10,000 inputs, max 312 ms". */
export class Stats {
  private readonly groups = new Map<string, { n: number; max: number; maxLabel: string; total: number }>();

  constructor(readonly file: string) {
    afterAll(() => {
      console.log(this.report());
    });
  }

  /** Runs `fn` on one input, timing it. Exceptions propagate (a crash is a failure). */
  time<T>(group: string, label: string | (() => string), fn: () => T): { value: T; ms: number } {
    const t0 = performance.now();
    const value = fn();
    const ms = performance.now() - t0;
    this.observe(group, label, ms);
    return { value, ms };
  }

  async timeAsync<T>(group: string, label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    this.observe(group, label, ms);
    return { value, ms };
  }

  /** One timed input: count it, and keep the slowest with its label (built only when it is the slowest). */
  private observe(group: string, label: string | (() => string), ms: number): void {
    const g = this.groups.get(group) ?? { n: 0, max: 0, maxLabel: '', total: 0 };
    g.n += 1;
    g.total += ms;
    if (ms > g.max) {
      g.max = ms;
      g.maxLabel = typeof label === 'function' ? label() : label;
    }
    this.groups.set(group, g);
  }

  /** Counts inputs handled inside another timed call (e.g. events folded in one batch). */
  tally(group: string, n: number): void {
    const g = this.groups.get(group) ?? { n: 0, max: 0, maxLabel: '', total: 0 };
    g.n += n;
    this.groups.set(group, g);
  }

  count(group: string): number {
    return this.groups.get(group)?.n ?? 0;
  }

  max(group: string): number {
    return this.groups.get(group)?.max ?? 0;
  }

  total(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.n;
    return n;
  }

  report(): string {
    const lines = [`[reliability] ${this.file}: ${this.total()} inputs (seed ${SEED})`];
    for (const [name, g] of this.groups) {
      lines.push(
        `  ${name.padEnd(34)} ${String(g.n).padStart(6)} inputs  max ${g.max.toFixed(1).padStart(8)} ms  mean ${(g.total / Math.max(1, g.n)).toFixed(2).padStart(7)} ms  slowest: ${g.maxLabel.slice(0, 70)}`,
      );
    }
    return lines.join('\n');
  }
}

/** Short printable description of a (possibly huge, possibly binary) input for failure messages. */
export function show(s: string, max = 80): string {
  const head = JSON.stringify(s.length > max ? s.slice(0, max) : s);
  return s.length > max ? `${head}… (${s.length} chars)` : head;
}

/** Real log lines of every recorded scenario (journald short-precise around containerd text and klog). */
export function recordedLogLines(): { file: string; lines: string[] }[] {
  const out: { file: string; lines: string[] }[] = [];
  for (const d of readdirSync(RECORDED)) {
    for (const f of ['containerd.log', 'kubelet.log']) {
      let text: string;
      try {
        text = readFileSync(join(RECORDED, d, f), 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) out.push({ file: `${d}/${f}`, lines });
    }
  }
  return out;
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** A deterministic shuffle (Fisher–Yates over a small LCG), so order-independence checks are reproducible. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const a = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Terminal control: C0 (except LF), DEL, C1 (8-bit CSI U+009B, OSC U+009D, …) and bidi overrides/isolates. */
// eslint-disable-next-line no-control-regex
export const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
