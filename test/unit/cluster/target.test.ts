// Resolving a trace target (src/cluster/target.ts) against real kubeconfig files, no cluster: which
// context and namespace each entry point's target ends up in, and a rejection's causes mapped to the
// manifest's lines.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterError, RunError, resolveTarget, type TraceTarget } from '../../../src/cluster/index.js';
import { manifestCauses } from '../../../src/cluster/target.js';
import { parseManifest } from '../../../src/core/manifest/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pb-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'c-dev', cluster: { server: 'https://dev.example:6443' } },
      { name: 'c-prod', cluster: { server: 'https://prod.example:6443' } },
    ],
    users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
    contexts: [
      { name: 'dev', context: { cluster: 'c-dev', user: 'u', namespace: 'ctx-ns' } },
      { name: 'prod', context: { cluster: 'c-prod', user: 'u' } },
    ],
    'current-context': 'dev',
  }),
);

const doc = (yaml: string) => parseManifest(yaml).documents[0]!;
const POD = doc('apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\nspec:\n  containers:\n    - name: app\n');
const POD_NS = doc('apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\n  namespace: mine\n');
const DEPLOY = doc(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: busybox
`);
const manifest = (document = POD, mode: 'apply' | 'attach' = 'apply'): TraceTarget => ({
  kind: 'manifest',
  document,
  source: 'pod.yaml',
  mode,
});

describe('resolveTarget', () => {
  it("namespace: the manifest's, else the flag/setting, else the context's, else default", () => {
    expect(resolveTarget(manifest(POD_NS), { kubeconfig, namespace: 'flag' }).namespace).toBe('mine');
    expect(resolveTarget(manifest(), { kubeconfig, namespace: 'flag' }).namespace).toBe('flag');
    expect(resolveTarget(manifest(), { kubeconfig }).namespace).toBe('ctx-ns');
    expect(resolveTarget(manifest(), { kubeconfig, context: 'prod' }).namespace).toBe('default');
  });

  it('a pod target: its own context and namespace first, else the setting/flag, else the current context', () => {
    const picked = resolveTarget(
      { kind: 'pod', name: 'p', namespace: 'team', context: 'prod' },
      { kubeconfig, context: 'dev', namespace: 'setting' },
    );
    expect(picked).toMatchObject({ namespace: 'team', mode: 'attach', maxPods: 1, subject: 'Pod/p' });
    expect(picked.conn).toMatchObject({ context: 'prod', server: 'https://prod.example:6443' });
    expect(picked.traced).toEqual({ kind: 'pod', name: 'p' });
    expect(picked.document).toBeNull();
    const bare = resolveTarget({ kind: 'pod', name: 'p', namespace: null }, { kubeconfig, namespace: 'setting' });
    expect(bare.namespace).toBe('setting');
    expect(bare.conn.context).toBe('dev');
    expect(resolveTarget({ kind: 'pod', name: 'p' }, { kubeconfig }).namespace).toBe('ctx-ns');
  });

  it('the object is sent where it is traced; the document is kept for line mapping', () => {
    const r = resolveTarget(manifest(), { kubeconfig, namespace: 'flag' });
    expect(r.traced).toMatchObject({
      kind: 'object',
      object: { kind: 'Pod', metadata: { name: 'hello', namespace: 'flag' } },
    });
    expect(r).toMatchObject({ mode: 'apply', document: POD, source: 'pod.yaml', subject: 'Pod/hello' });
  });

  it('a Pod is one pod whatever --pods says; a workload follows the requested count', () => {
    expect(resolveTarget(manifest(), { kubeconfig, workloadPods: 5 }).maxPods).toBe(1);
    expect(resolveTarget(manifest(DEPLOY, 'attach'), { kubeconfig, workloadPods: 5 })).toMatchObject({
      maxPods: 5,
      mode: 'attach',
      subject: 'Deployment/web',
    });
    expect(resolveTarget(manifest(DEPLOY), { kubeconfig }).maxPods).toBe(1);
    const generated = doc('apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: run-\n');
    expect(resolveTarget(manifest(generated), { kubeconfig }).subject).toBe('Pod/run-');
  });

  it('an object built in code resolves like a manifest document, without lines', () => {
    const r = resolveTarget(
      { kind: 'object', object: { kind: 'Pod', metadata: { name: 'x', namespace: 'own' } }, mode: 'attach' },
      { kubeconfig, namespace: 'flag' },
    );
    expect(r).toMatchObject({ namespace: 'own', document: null, source: null, mode: 'attach' });
  });

  it('connection problems are ClusterErrors; a document that is no object is a RunError', () => {
    expect(() => resolveTarget(manifest(), { kubeconfig, context: 'nope' })).toThrow(ClusterError);
    expect(() => resolveTarget(manifest(), { kubeconfig: join(dir, 'missing') })).toThrow(/No kubeconfig found/);
    expect(() => resolveTarget(manifest(doc('- a\n- b\n')), { kubeconfig })).toThrow(RunError);
  });
});

describe('manifestCauses', () => {
  it("maps the apiserver's field paths to the document's lines, a workload's template prefix removed", () => {
    expect(
      manifestCauses(
        [
          { field: 'spec.template.spec.containers[0].image', reason: 'FieldValueRequired', message: 'Required value' },
          { field: '.spec.template.spec.containers[0].name', reason: 'FieldValueInvalid', message: '' },
          { field: 'spec.template.spec.nodeName', reason: 'FieldValueInvalid', message: 'not here' },
          { field: '', reason: 'Unknown', message: 'no field: left out' },
        ],
        DEPLOY,
      ),
    ).toEqual([
      { path: 'spec.template.spec.containers[0].image', line: 10, message: 'Required value' },
      { path: 'spec.template.spec.containers[0].name', line: 9, message: 'FieldValueInvalid' },
      // Not in the document: the line of the nearest field that is (the template's spec).
      { path: 'spec.template.spec.nodeName', line: 7, message: 'not here' },
    ]);
  });
});
