import { describe, expect, it } from 'vitest';
import {
  manifestContainerPath,
  documentAt,
  findPodDocument,
  lineOfPodPath,
  locatePodPath,
  parseManifest,
  pathAt,
  podPath,
  rangeOf,
  suggestAddition,
  type ManifestDocument,
} from '../../../src/core/manifest/index.js';
import { posOf, textOf } from './helpers.js';

const MULTI = `# Workloads for the shop
apiVersion: v1
kind: Pod
metadata:
  name: web            # the pod
  namespace: shop
spec:
  containers:
    - name: app
      image: "nginx:1.27"   # pinned
      resources:
        requests:
          memory: 64Mi
    - {name: side, image: busybox, args: [sleep, "3600"]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    "app.kubernetes.io/name": api
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: api}
    spec:
      initContainers:
      - name: migrate
        image: migrate:v3
      containers:
      - name: api
        image: ghcr.io/acme/api:2.1
---
# a CronJob
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: alpine
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      containers: [{name: j, image: alpine}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  generateName: db-
spec:
  template:
    spec:
      containers:
      - name: db
        image: postgres:17
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a.b: "1"
`;

function doc(i: number, text = MULTI): ManifestDocument {
  const d = parseManifest(text).documents[i];
  if (!d) throw new Error(`no document ${i}`);
  return d;
}

describe('parseManifest', () => {
  it('finds every document with its identity and pod template path', () => {
    const m = parseManifest(MULTI);
    expect(
      m.documents.map((d) => ({
        index: d.index,
        kind: d.kind,
        apiVersion: d.apiVersion,
        name: d.name,
        ns: d.namespace,
        gen: d.generateName,
        tpl: d.podTemplatePath,
        errors: d.errors.length,
      })),
    ).toEqual([
      { index: 0, kind: 'Pod', apiVersion: 'v1', name: 'web', ns: 'shop', gen: null, tpl: '', errors: 0 },
      {
        index: 1,
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'api',
        ns: null,
        gen: null,
        tpl: 'spec.template',
        errors: 0,
      },
      {
        index: 2,
        kind: 'CronJob',
        apiVersion: 'batch/v1',
        name: 'nightly',
        ns: null,
        gen: null,
        tpl: 'spec.jobTemplate.spec.template',
        errors: 0,
      },
      {
        index: 3,
        kind: 'Job',
        apiVersion: 'batch/v1',
        name: 'once',
        ns: null,
        gen: null,
        tpl: 'spec.template',
        errors: 0,
      },
      {
        index: 4,
        kind: 'StatefulSet',
        apiVersion: 'apps/v1',
        name: null,
        ns: null,
        gen: 'db-',
        tpl: 'spec.template',
        errors: 0,
      },
      { index: 5, kind: 'ConfigMap', apiVersion: 'v1', name: 'settings', ns: null, gen: null, tpl: null, errors: 0 },
    ]);
  });

  it('gives each document its own line range, and documentAt maps lines to documents', () => {
    const m = parseManifest(MULTI);
    const starts = m.documents.map((d) => d.range.start.line);
    expect(starts).toEqual([1, 14, 33, 48, 57, 68]);
    expect(m.documents[0]?.range.end.line).toBe(13);
    expect(documentAt(m, 0)?.index).toBe(0); // the leading comment belongs to the first document
    expect(documentAt(m, 13)?.index).toBe(0);
    expect(documentAt(m, 14)?.index).toBe(1); // the `---` line starts the next one
    expect(documentAt(m, 34)?.index).toBe(2);
    expect(documentAt(m, 10_000)?.index).toBe(5);
    expect(documentAt(parseManifest(''), 0)).toBeNull();
  });

  it('converts documents to plain data', () => {
    expect(doc(5).toJSON()).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { 'a.b': '1' },
    });
    expect(JSON.parse(JSON.stringify(doc(3)))).toMatchObject({
      kind: 'Job',
      spec: { template: { spec: { containers: [{ name: 'j', image: 'alpine' }] } } },
    });
  });

  it('stops alias bombs instead of expanding them', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i += 1)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const t0 = Date.now();
    const d = doc(0, bomb.join('\n'));
    expect(d.toJSON()).toBeNull();
    expect(rangeOf(d, 'j[0][0][0]').found).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports YAML errors with positions', () => {
    const m = parseManifest('kind: Pod\nspec:\n  containers: [\n    {name: a\n---\nkind: Pod\nmetadata: {name: ok}\n');
    const [bad, good] = m.documents;
    expect(bad?.errors.length).toBeGreaterThan(0);
    const e = bad?.errors[0];
    expect(e).toMatchObject({ code: expect.any(String) as unknown, message: expect.any(String) as unknown });
    expect(e?.line).toBeGreaterThanOrEqual(3);
    expect(e?.range.start.line).toBe((e?.line ?? 0) - 1);
    expect(e?.message).not.toContain('\n');
    expect(good?.errors).toEqual([]);
    expect(good?.name).toBe('ok');
    const dup = parseManifest('a: 1\na: 2\n').documents[0];
    expect(dup?.errors[0]).toMatchObject({ code: 'DUPLICATE_KEY', line: 2, col: 1 });
  });
});

describe('rangeOf', () => {
  it('finds scalar values (quoted, with comments), keys, and sequence items', () => {
    const d = doc(0);
    const r = rangeOf(d, 'spec.containers[0].image');
    expect(r).toMatchObject({ found: true, path: 'spec.containers[0].image', missing: [] });
    expect(textOf(MULTI, r.range)).toBe('"nginx:1.27"');
    expect(r.keyRange && textOf(MULTI, r.keyRange)).toBe('image');
    expect(r.range.start).toEqual(posOf(MULTI, '"nginx:1.27"'));
    expect(textOf(MULTI, rangeOf(d, 'spec.containers[0].resources.requests.memory').range)).toBe('64Mi');
    expect(textOf(MULTI, rangeOf(d, 'metadata.name').range)).toBe('web');
    const item = rangeOf(d, 'spec.containers[0]');
    expect(textOf(MULTI, item.range)).toMatch(/^name: app\n[\s\S]*memory: 64Mi$/);
    expect(item.keyRange).toBeUndefined();
  });

  it('handles flow style', () => {
    const d = doc(0);
    expect(textOf(MULTI, rangeOf(d, 'spec.containers[1].image').range)).toBe('busybox');
    expect(textOf(MULTI, rangeOf(d, 'spec.containers[1].args[1]').range)).toBe('"3600"');
    expect(textOf(MULTI, rangeOf(d, 'spec.containers[1]').range)).toBe(
      '{name: side, image: busybox, args: [sleep, "3600"]}',
    );
    expect(textOf(MULTI, rangeOf(doc(3), 'spec.template.spec.containers[0].name').range)).toBe('j');
  });

  it('handles quoted keys with dots and slashes', () => {
    const r = rangeOf(doc(1), 'metadata.labels["app.kubernetes.io/name"]');
    expect(r.found).toBe(true);
    expect(r.path).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(textOf(MULTI, r.range)).toBe('api');
    expect(rangeOf(doc(5), "data['a.b']").found).toBe(true);
    expect(rangeOf(doc(5), ['data', 'a.b']).found).toBe(true);
    expect(rangeOf(doc(5), 'data.a.b')).toMatchObject({ found: false, path: 'data', missing: ['a', 'b'] });
  });

  it('points at the nearest existing parent and says what to add', () => {
    const d = doc(1);
    const r = rangeOf(d, 'spec.template.spec.tolerations[0].key');
    expect(r).toMatchObject({ found: false, path: 'spec.template.spec', missing: ['tolerations', '[0]', 'key'] });
    expect(r.keyRange && textOf(MULTI, r.keyRange)).toBe('spec');
    expect(r.keyRange?.start).toEqual(posOf(MULTI, 'spec:', 'labels: {app: api}'));
    expect(suggestAddition(r)).toBe('add `tolerations:` under `spec.template.spec`');
    const idx = rangeOf(d, 'spec.template.spec.containers[3].image');
    expect(idx).toMatchObject({ found: false, path: 'spec.template.spec.containers', missing: ['[3]', 'image'] });
    expect(suggestAddition(idx)).toBe('add item [3] to `spec.template.spec.containers`');
    expect(suggestAddition(rangeOf(d, 'status'))).toBe('add `status:` at the top level');
    expect(suggestAddition(rangeOf(d, 'spec'))).toBeNull();
    // Below a scalar there is nothing to descend into.
    expect(rangeOf(d, 'spec.replicas.x')).toMatchObject({ found: false, path: 'spec.replicas', missing: ['x'] });
  });

  it('gives empty values a zero-width range after the colon', () => {
    const text = 'kind: Pod\nspec:\n  tolerations:\n  nodeName: n\n';
    const r = rangeOf(doc(0, text), 'spec.tolerations');
    expect(r.found).toBe(true);
    expect(r.range.start).toEqual({ line: 2, col: 14 });
    expect(r.range.end).toEqual(r.range.start);
  });

  it('counts columns in UTF-16 code units after non-ASCII text', () => {
    const text =
      'kind: Pod\nmetadata: {annotations: {note: "é🚀日本"}, name: "x🚀y"}\nspec:\n  containers: [{name: "🚀", image: "img"}]\n';
    const d = doc(0, text);
    const r = rangeOf(d, 'metadata.name');
    expect(r.range.start).toEqual(posOf(text, '"x🚀y"'));
    expect(r.range.start.col).toBe(47); // 2 code units for the rocket, 1 each for é, 日, 本
    expect(textOf(text, r.range)).toBe('"x🚀y"');
    expect(r.range.end.col - r.range.start.col).toBe(6); // the rocket is two code units
    expect(textOf(text, rangeOf(d, 'spec.containers[0].image').range)).toBe('"img"');
    expect(pathAt(d, 3, 34)?.path).toBe('spec.containers[0].image');
  });

  it('works with CRLF line endings', () => {
    const text = MULTI.replace(/\n/g, '\r\n');
    const d = doc(0, text);
    const r = rangeOf(d, 'spec.containers[0].resources.requests.memory');
    expect(r.range.start).toEqual(posOf(MULTI, '64Mi'));
    expect(textOf(text, r.range)).toBe('64Mi');
    const item = rangeOf(d, 'spec.containers[0]');
    expect(textOf(text, item.range).endsWith('64Mi')).toBe(true);
    expect(parseManifest(text).documents.map((x) => x.range.start.line)).toEqual([1, 14, 33, 48, 57, 68]);
    expect(pathAt(d, 9, 14)?.path).toBe('spec.containers[0].image');
  });

  it('returns the root for unparsable paths and never throws', () => {
    const d = doc(0);
    expect(rangeOf(d, 'spec..x')).toMatchObject({ found: false, path: '', missing: ['spec..x'] });
    expect(rangeOf(d, '')).toMatchObject({ found: true, path: '' });
    expect(parseManifest('# only a comment\n').documents).toEqual([]);
    expect(rangeOf(doc(0, '--- # empty\n'), 'a')).toMatchObject({ found: false, path: '', missing: ['a'] });
  });
});

describe('pathAt', () => {
  it('finds the deepest path at keys, values, sequence items and flow collections', () => {
    const d = doc(0);
    const at = (needle: string, after = '', delta = 0): string | undefined => {
      const p = posOf(MULTI, needle, after);
      return pathAt(d, p.line, p.col + delta)?.path;
    };
    expect(at('image: "nginx')).toBe('spec.containers[0].image');
    expect(pathAt(d, posOf(MULTI, 'image: "nginx').line, posOf(MULTI, 'image: "nginx').col)?.onKey).toBe(true);
    expect(at('nginx:1.27')).toBe('spec.containers[0].image');
    expect(at('64Mi', '', 2)).toBe('spec.containers[0].resources.requests.memory');
    expect(at('- name: app')).toBe('spec.containers[0]'); // on the dash
    expect(at('busybox')).toBe('spec.containers[1].image');
    expect(at('"3600"')).toBe('spec.containers[1].args[1]');
    expect(at('sleep')).toBe('spec.containers[1].args[0]');
    expect(at('# the pod')).toBe('metadata.name');
    expect(pathAt(d, 0, 0)).toBeNull(); // the comment before the document
    expect(pathAt(d, 10_000, 0)).toBeNull();
    expect(pathAt(d, 7, 13)?.path).toBe('spec.containers'); // after `containers:`
    expect(pathAt(d, 8, 0)?.path).toBe('spec.containers[0]'); // indentation before `- name`
  });

  it('hovers quoted keys and formats them back', () => {
    const p = posOf(MULTI, '"app.kubernetes.io/name"');
    expect(pathAt(doc(1), p.line, p.col + 3)?.path).toBe('metadata.labels["app.kubernetes.io/name"]');
  });
});

describe('pod templates', () => {
  it('rebases pod-relative paths onto workloads', () => {
    expect(podPath(doc(0), 'spec.containers[0].image')).toBe('spec.containers[0].image');
    expect(podPath(doc(1), 'spec.containers[0].image')).toBe('spec.template.spec.containers[0].image');
    expect(podPath(doc(2), 'spec.nodeSelector')).toBe('spec.jobTemplate.spec.template.spec.nodeSelector');
    expect(podPath(doc(5), 'spec')).toBeNull();
    expect(podPath(doc(1), '')).toBe('spec.template');
  });

  it('finds containers by name, init or not', () => {
    expect(manifestContainerPath(doc(0), 'side')).toBe('spec.containers[1]');
    expect(manifestContainerPath(doc(1), 'migrate')).toBe('spec.initContainers[0]');
    expect(manifestContainerPath(doc(1), 'migrate', false)).toBeNull();
    expect(manifestContainerPath(doc(1), 'api', false)).toBe('spec.containers[0]');
    expect(manifestContainerPath(doc(2), 'job')).toBe('spec.containers[0]');
    expect(manifestContainerPath(doc(3), 'j')).toBe('spec.containers[0]');
    expect(manifestContainerPath(doc(5), 'x')).toBeNull();
  });

  it('maps pod-relative paths to 1-based lines, with workload metadata falling back to the workload', () => {
    expect(lineOfPodPath(doc(1), 'spec.containers[0].image')).toBe(posOf(MULTI, 'image: ghcr').line + 1);
    expect(lineOfPodPath(doc(1), 'spec.tolerations')).toBe(posOf(MULTI, 'spec:', 'labels: {app: api}').line + 1);
    expect(lineOfPodPath(doc(1), 'metadata.name')).toBe(posOf(MULTI, 'name: api').line + 1);
    expect(locatePodPath(doc(1), 'metadata.labels')?.path).toBe('spec.template.metadata.labels');
    expect(lineOfPodPath(doc(5), 'spec')).toBeNull();
    expect(lineOfPodPath(doc(4), 'spec.containers[0].image')).toBe(posOf(MULTI, 'postgres').line + 1);
  });

  it('finds the document a pod comes from', () => {
    const m = parseManifest(MULTI);
    const find = (meta: Record<string, unknown>): number | undefined => findPodDocument(m, { metadata: meta })?.index;
    expect(find({ name: 'web', namespace: 'shop' })).toBe(0);
    expect(find({ name: 'web', namespace: 'other' })).toBeUndefined();
    expect(find({ name: 'api-7d4b9c-x2x9q', ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d4b9c' }] })).toBe(1);
    expect(find({ name: 'nightly-29000000-abcde', ownerReferences: [{ kind: 'Job', name: 'nightly-29000000' }] })).toBe(
      2,
    );
    expect(find({ name: 'once-xyz12', ownerReferences: [{ kind: 'Job', name: 'once' }] })).toBe(3);
    expect(find({ name: 'api-5f6-abc' })).toBe(1); // by name prefix
    expect(find({ name: 'unrelated' })).toBeUndefined();
    // The only document is taken only when it names no object: a named one is another pod's.
    const single = parseManifest('kind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n');
    expect(findPodDocument(single, { metadata: { name: 'whatever' } })).toBeNull();
    const otherPod = parseManifest('apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: []}\n');
    expect(findPodDocument(otherPod, { metadata: { name: 'api', namespace: 'default' } })).toBeNull();
    const unnamed = parseManifest('apiVersion: v1\nkind: Pod\nspec: {containers: []}\n');
    expect(findPodDocument(unnamed, { metadata: { name: 'whatever' } })?.index).toBe(0);
  });
});

describe('robustness', () => {
  it('survives deep nesting', () => {
    const depth = 3000;
    const text = `${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    const m = parseManifest(text);
    for (const d of m.documents) {
      expect(() => pathAt(d, 0, depth)).not.toThrow();
      expect(() => rangeOf(d, Array(depth).fill(0) as number[])).not.toThrow();
      expect(() => d.toJSON()).not.toThrow();
    }
  });
});
