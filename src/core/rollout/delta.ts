// A live rollout report sent as a delta: the rows that changed since the previous report, the pod
// order only when it changed, and the summary (percentiles, SLO, slowest: small) whole. Used between
// the rollout worker process and the editor: of a 300-pod rollout only a few rows change a second, and
// every whole report the editor decodes is ~100 KB of objects its shared extension host must allocate
// and collect (bench rollout-host). The decoder gives back the whole report, equal to the one encoded.

import type { RolloutPod, RolloutReport } from './report.js';

export interface RolloutReportDelta {
  /** The report without its rows. */
  readonly summary: Omit<RolloutReport, 'pods'>;
  /** Rows that are new or differ from the previous report's row of the same pod. */
  readonly changed: readonly RolloutPod[];
  /** The pods in the report's order, when it differs from the previous report's (else null). */
  readonly names: readonly string[] | null;
}

/** The sender's side: remembers what it sent (each row as its JSON, compared by content). */
export class RolloutDeltaEncoder {
  private sent = new Map<string, string>();
  private names: readonly string[] = [];

  encode(report: RolloutReport): RolloutReportDelta {
    const { pods, ...summary } = report;
    const next = new Map<string, string>();
    const changed: RolloutPod[] = [];
    for (const p of pods) {
      const json = JSON.stringify(p);
      next.set(p.name, json);
      if (this.sent.get(p.name) !== json) changed.push(p);
    }
    const names = pods.map((p) => p.name);
    const sameOrder = names.length === this.names.length && names.every((n, i) => n === this.names[i]);
    this.sent = next;
    if (!sameOrder) this.names = names;
    return { summary, changed, names: sameOrder ? null : names };
  }
}

/** The receiver's side: the whole report again from the deltas, in order. */
export class RolloutDeltaDecoder {
  private rows = new Map<string, RolloutPod>();
  private names: readonly string[] = [];

  decode(delta: RolloutReportDelta): RolloutReport {
    for (const p of delta.changed) this.rows.set(p.name, p);
    if (delta.names) {
      this.names = delta.names;
      const keep = new Set(delta.names);
      for (const name of [...this.rows.keys()]) if (!keep.has(name)) this.rows.delete(name);
    }
    const pods = this.names.flatMap((n) => {
      const p = this.rows.get(n);
      return p ? [p] : [];
    });
    return { ...delta.summary, pods };
  }
}
