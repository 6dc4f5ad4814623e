// `pod-birth trace … --all`: arguments, and the report in every format through a stand-in cluster layer.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/args.js';
import { parseRolloutArgs, renderRollout, runRollout, type RolloutCluster } from '../../../src/cli/rollout.js';
import { ClusterError, RunError } from '../../../src/cluster/errors.js';
import type { RolloutRequest, RolloutRunResult } from '../../../src/cluster/rollout-run.js';
import type { RolloutTracer } from '../../../src/cluster/rollout.js';
import { buildRolloutReport, type RolloutReport } from '../../../src/core/rollout/index.js';
import { fakeConnection } from '../cluster/fakes.js';

const REPORT: RolloutReport = buildRolloutReport(
  { kind: 'Deployment', namespace: 'default', name: 'web' },
  [
    {
      name: 'web-1',
      uid: 'u1',
      node: 'n',
      phases: { schedule: 5, sandbox: 800, pull: 0, create: 10, start: 40, ready: 200 },
      spans: { schedule: [0, 5], sandbox: [5, 805], create: [806, 816], start: [816, 856], ready: [856, 1056] },
      sloStartupMs: 856,
      totalMs: 1056,
      outcome: 'ready',
      createdAtMs: 1_800_000_000_000,
    },
  ],
  { live: false },
);

function io(answer: boolean | null = null): { out: string[]; err: string[]; io: Parameters<typeof runRollout>[1] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s), ask: async () => answer } };
}

function cluster(seen: RolloutRequest[], result?: (r: RolloutRequest) => Promise<RolloutRunResult>): RolloutCluster {
  return {
    resolveTarget: () => {
      throw new Error('not used');
    },
    loadConnection: () => fakeConnection(),
    confirmationText: () => 'Apply?',
    ClusterError,
    RunError,
    startRollout: async (r) => {
      seen.push(r);
      if (result) return result(r);
      const tracer = { report: () => REPORT, closed: Promise.resolve(REPORT) } as unknown as RolloutTracer;
      return { status: 'running', tracer, finished: Promise.resolve('done') };
    },
  };
}

describe('trace --all arguments', () => {
  it('attach by kind/name, formats, pod cap', () => {
    const c = parseRolloutArgs(['deploy/web', '--all', '--format', 'csv', '-n', 'x', '--pods', '300']);
    expect(c.what).toEqual({ kind: 'named', workloadKind: 'Deployment', name: 'web' });
    expect(c.format).toBe('csv');
    expect(c.maxPods).toBe(300);
    expect(c.connect.namespace).toBe('x');
    expect(parseRolloutArgs(['sts/db', '--all']).what).toMatchObject({ workloadKind: 'StatefulSet' });
    expect(() => parseRolloutArgs(['pod/web', '--all'])).toThrow(UsageError);
    expect(() => parseRolloutArgs(['deploy/web', '--all', '--format', 'svg'])).toThrow(/--format must be/);
    expect(() => parseRolloutArgs(['deploy/web', '--all', '--pods', '1001'])).toThrow(UsageError);
    expect(() => parseRolloutArgs(['deploy/web', '--all', '--apply'])).toThrow(/--apply needs -f/);
  });
});

describe('trace --all output', () => {
  it.each(['json', 'text', 'mermaid', 'markdown', 'csv'] as const)(
    '%s is the report in that format',
    async (format) => {
      const seen: RolloutRequest[] = [];
      const t = io();
      const code = await runRollout(['deployment/web', '--all', '--format', format], t.io, cluster(seen));
      expect(code).toBe(0);
      expect(t.out.join('')).toBe(renderRollout(REPORT, format));
      expect(seen[0]?.subject).toMatchObject({ kind: 'named', workloadKind: 'Deployment', name: 'web' });
      if (format === 'json') {
        const r = JSON.parse(t.out.join('')) as RolloutReport;
        expect(r.workload).toEqual({ kind: 'Deployment', namespace: 'default', name: 'web' });
        expect(r.pods[0]).toMatchObject({ name: 'web-1', node: 'n', sloStartupMs: 856, outcome: 'ready' });
        expect(r.percentiles.sloStartup).toMatchObject({ p50: 856, p90: 856, p99: 856, max: 856 });
        expect(r.slo).toMatchObject({ p99Ms: 856, met: true });
      }
    },
  );

  it('apply without a terminal and without --yes is refused, naming what and where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-roll-'));
    const file = join(dir, 'd.yaml');
    writeFileSync(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: busybox}]}\n',
    );
    const t = io(null);
    const api = cluster([], async (r) => {
      const who = await r.confirm?.({
        context: 'c',
        server: 's',
        namespace: 'default',
        kind: 'Deployment',
        name: 'web',
        dryRun: {},
      });
      expect(who).toBeNull();
      return {
        status: 'declined',
        plan: { context: 'c', server: 's', namespace: 'default', kind: 'Deployment', name: 'web', dryRun: {} },
      };
    });
    api.resolveTarget = ((target: { kind: string }) => ({ target })) as unknown as RolloutCluster['resolveTarget'];
    const code = await runRollout(['-f', file, '--apply', '--all'], t.io, api);
    expect(code).toBe(2);
    expect(t.err.join('')).toMatch(/Refusing to apply without confirmation/);
    expect(t.out).toEqual([]);
  });
});
