// The quick fixes the language server offers on a trace's diagnostics (lower a request to what fits,
// tolerate a taint), applied to the sample manifests, with the REAL server over in-memory streams and
// traces from real recordings.
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, TextEdit } from 'vscode-languageserver-protocol/node';
import { parse } from 'yaml';
import { diagnoseScheduling } from '../../src/core/diagnosis/index.js';
import type { Diagnosis, Trace } from '../../src/core/model.js';
import { recordedTrace } from '../support/recorded.js';
import { byCode, lineOf, sample, serverPerTest } from './harness.js';

const MEMORY = recordedTrace('unschedulable-memory');

const server = serverPerTest();

function applyEdits(text: string, action: CodeAction | undefined, uri: string): string {
  const edits = action?.edit?.changes?.[uri] as TextEdit[] | undefined;
  if (!edits) throw new Error('no edit for ' + uri);
  return TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, text), edits);
}

/** A FailedScheduling cause for a taint, as the engine diagnoses the message. */
function taintTrace(message: string): Trace {
  const diagnosis = diagnoseScheduling(message, { spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } });
  expect(diagnosis.map((d) => d.cause)).toEqual(['untolerated-taint']);
  return { ...MEMORY, diagnosis };
}
const CONTROL_PLANE_TAINT =
  '0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

describe('trace quick fixes', () => {
  const fit = (d: Diagnosis): Diagnosis => ({
    ...d,
    fit: { resource: 'memory', requested: '64Gi', node: 'pod-birth-node', free: '3814Mi', allocatable: '3910Mi' },
  });

  it('lowers requests.memory to what the roomiest node has free, in place', async () => {
    const h = await server();
    const uri = 'file:///fit.yaml';
    const text = sample('pending-memory.yaml');
    await h.open(uri, text);
    const ds = await h.update('t1', uri, { ...MEMORY, diagnosis: MEMORY.diagnosis.map(fit) });
    const actions = await h.actions(uri, [byCode(ds, 'pod-birth/insufficient-memory')!]);
    expect(actions.map((a) => [a.title, a.kind])).toEqual([
      ['Lower requests.memory to 3814Mi (node pod-birth-node has 3814Mi free of 3910Mi)', 'quickfix'],
    ]);
    expect(actions[0]?.edit?.changes?.[uri]).toEqual([
      { range: { start: { line: 12, character: 18 }, end: { line: 12, character: 22 } }, newText: '3814Mi' },
    ]);
    const fixed = applyEdits(text, actions[0], uri);
    expect(fixed).toBe(text.replace('memory: 64Gi', 'memory: 3814Mi'));
  });

  it('offers nothing without a fit, or when the manifest already asks for less than is free', async () => {
    const h = await server();
    const uri = 'file:///nofit.yaml';
    const text = sample('pending-memory.yaml');
    await h.open(uri, text);
    let ds = await h.update('t1', uri, MEMORY);
    expect(await h.actions(uri, [byCode(ds, 'pod-birth/insufficient-memory')!])).toEqual([]);
    await h.update('t1', uri, { ...MEMORY, diagnosis: MEMORY.diagnosis.map(fit) });
    ds = await h.change(uri, [
      { range: { start: { line: 12, character: 18 }, end: { line: 12, character: 22 } }, text: '1Gi' },
    ]);
    expect(await h.actions(uri, [byCode(ds, 'pod-birth/insufficient-memory')!])).toEqual([]);
  });

  it('adds a toleration for the taint the scheduler names, indented like the document (Pod)', async () => {
    const h = await server();
    const uri = 'file:///taint.yaml';
    const text = sample('pending-memory.yaml');
    await h.open(uri, text);
    const ds = await h.update('t1', uri, taintTrace(CONTROL_PLANE_TAINT));
    const d = byCode(ds, 'pod-birth/untolerated-taint')!;
    // spec.tolerations is not there: the mark is on `spec:` and says so.
    expect(d.range).toEqual({ start: { line: 5, character: 0 }, end: { line: 5, character: 4 } });
    expect(d.message).toContain('(`spec.tolerations` is not in the manifest: add `tolerations:` under `spec`)');
    const actions = await h.actions(uri, [d]);
    expect(actions.map((a) => a.title)).toEqual([
      'Add a toleration for taint node-role.kubernetes.io/control-plane (any effect)',
    ]);
    const fixed = applyEdits(text, actions[0], uri);
    expect(fixed).toBe(
      text + '  tolerations:\n    - key: node-role.kubernetes.io/control-plane\n      operator: Exists\n',
    );
    expect(parse(fixed).spec.tolerations).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' },
    ]);
    expect(parse(fixed).spec.containers).toEqual(parse(text).spec.containers);
  });

  it('adds the toleration under a Deployment template, and appends to an existing list', async () => {
    const h = await server();
    const uri = 'file:///taint-deploy.yaml';
    const text = sample('deployment.yaml');
    await h.open(uri, text);
    let ds = await h.update(
      't1',
      uri,
      taintTrace(
        '0/2 nodes are available: 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      ),
    );
    expect(byCode(ds, 'pod-birth/untolerated-taint')?.message).toContain(
      '(`spec.template.spec.tolerations` is not in the manifest: add `tolerations:` under `spec.template.spec`)',
    );
    expect(byCode(ds, 'pod-birth/untolerated-taint')?.range.start).toEqual({
      line: lineOf(text, '    spec:'),
      character: 4,
    });
    const fixed = applyEdits(text, (await h.actions(uri, [byCode(ds, 'pod-birth/untolerated-taint')!]))[0], uri);
    expect(fixed).toBe(
      text + '      tolerations:\n        - key: dedicated\n          operator: Equal\n          value: "gpu"\n',
    );
    expect(parse(fixed).spec.template.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'gpu' },
    ]);
    // Now with a list already there (and another taint named): appended at the list's indentation.
    ds = await h.change(uri, [
      { range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } }, text: fixed },
    ]);
    ds = await h.update(
      't1',
      uri,
      taintTrace('0/1 nodes are available: 1 node(s) had untolerated taint {node.example/maintenance: true}.'),
    );
    const appended = applyEdits(fixed, (await h.actions(uri, [byCode(ds, 'pod-birth/untolerated-taint')!]))[0], uri);
    expect(parse(appended).spec.template.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'gpu' },
      { key: 'node.example/maintenance', operator: 'Equal', value: 'true' },
    ]);
    expect(appended.startsWith(fixed)).toBe(true);
  });

  it('offers a harmless skeleton when the scheduler hides the taint key', async () => {
    const h = await server();
    const uri = 'file:///taint-hidden.yaml';
    const text = sample('crashloop.yaml');
    await h.open(uri, text);
    const ds = await h.update(
      't1',
      uri,
      taintTrace(
        '0/1 nodes are available: 1 node(s) had untolerated taint(s). preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      ),
    );
    const actions = await h.actions(uri, [byCode(ds, 'pod-birth/untolerated-taint')!]);
    expect(actions[0]?.title).toBe('Add a tolerations skeleton (fill in the taint key from kubectl describe node)');
    expect(parse(applyEdits(text, actions[0], uri)).spec.tolerations).toEqual([
      { key: 'REPLACE-WITH-TAINT-KEY', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('offers nothing for a node selector mismatch or missing config', async () => {
    const h = await server();
    const uri = 'file:///selector.yaml';
    const text = sample('pending-memory.yaml').replace('spec:\n', 'spec:\n  nodeSelector:\n    disk: ssd\n');
    await h.open(uri, text);
    const diagnosis = diagnoseScheduling(
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      { spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'main' }] } },
    );
    const ds = await h.update('t1', uri, { ...MEMORY, diagnosis });
    const d = byCode(ds, 'pod-birth/node-selector-mismatch')!;
    expect(d.range.start).toEqual({ line: 6, character: 2 });
    expect(await h.actions(uri, [d])).toEqual([]);
  });
});
