// `pod-birth explain --manifest`: the manifest must be the pod's (a named document of another pod is
// refused, saying what it holds), and a workload's fields are reported at their path in the document.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { RECORDED_ROOT } from '../../support/recorded.js';

async function explain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['explain', ...args], {
    out: (s) => (out += s),
    err: (s) => (err += s),
    ask: async () => null,
  });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'pb-explain-'));
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const oom = join(RECORDED_ROOT, 'oom-killed');

describe('explain --manifest', () => {
  it('refuses a manifest that holds another pod, naming what it holds (no fields mapped onto the wrong pod)', async () => {
    const other = write(
      'other.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: main\n      image: nginx\n',
    );
    const r = await explain([
      '--pod',
      join(oom, 'pod.json'),
      '--events',
      join(oom, 'events.json'),
      '--manifest',
      other,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not the manifest of pod pod-birth-fx-oom-killed\/oom: it holds Pod "web"/);
    expect(r.out).toBe('');
  });

  it('reports a workload field at its path in the document, and the pod-relative path beside it', async () => {
    // A pod of the recorded Job, with the Job's manifest.
    const job = join(RECORDED_ROOT, 'job-backoff-limit');
    const pods = JSON.parse(readFileSync(join(job, 'pods.json'), 'utf8')) as Record<string, unknown>[];
    const pod = write('pod.json', JSON.stringify({ ...pods[0], kind: 'Pod', apiVersion: 'v1' }));
    const r = await explain([
      '--pod',
      pod,
      '--events',
      join(job, 'events.json'),
      '--manifest',
      join(job, 'manifest.json'),
      '--format',
      'json',
    ]);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as {
      diagnosis: { cause: string; yamlPath: string; podPath: string; line: number }[];
      steps: { kind: string; yamlPath: string | null; podPath: string | null }[];
    };
    const of = (cause: string) => j.diagnosis.find((d) => d.cause === cause);
    expect(of('container-exited')).toMatchObject({
      yamlPath: 'spec.template.spec.containers[0]',
      podPath: 'spec.containers[0]',
      line: 20,
    });
    // The Job's own field, not one in its pod template.
    expect(of('backoff-limit-exceeded')).toMatchObject({ yamlPath: 'spec.backoffLimit', line: 9 });
    expect(j.steps.find((s) => s.kind === 'image-present')).toMatchObject({
      yamlPath: 'spec.template.spec.containers[0].image',
      podPath: 'spec.containers[0].image',
    });
  });
});
