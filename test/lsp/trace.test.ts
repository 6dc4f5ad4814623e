// The language server reacting to live traces (TraceUpdateNotification, TraceClearNotification in
// src/protocol/lsp.ts): diagnostics, lenses, hovers and inlay hints, with the REAL server over
// in-memory streams and traces built from real recordings (test/fixtures/recorded/<scenario>/) mapped
// onto the sample manifests (test/samples/). Quick fixes: trace-fixes.test.ts.
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import type { Trace } from '../../src/core/model.js';
import { diffMs, formatDuration } from '../../src/core/time.js';
import { FOCUS_TRACE_COMMAND, TRACE_DOCUMENT_COMMAND } from '../../src/protocol/lsp.js';
import { recordedTrace } from '../support/recorded.js';
import { byCode, lineOf, markdown, sample, serverPerTest, sleep, until } from './harness.js';

const MEMORY = recordedTrace('unschedulable-memory');
const FRESH = recordedTrace('fresh-pull');
const MISSING = recordedTrace('missing-image');
const CRASH = recordedTrace('crash-loop');
const PRESENT = recordedTrace('image-present');

const server = serverPerTest();

describe('trace diagnostics', () => {
  it('marks the insufficient-memory cause on exactly the memory: line of the manifest, and refreshes lenses and hints', async () => {
    const h = await server();
    expect(h.init.capabilities).toMatchObject({
      hoverProvider: true,
      inlayHintProvider: {},
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      codeLensProvider: {},
    });
    const uri = 'file:///pending-memory.yaml';
    const text = sample('pending-memory.yaml');
    await h.open(uri, text);
    expect(h.traceDiags(uri)).toEqual([]);
    const ds = await h.update('t1', uri, MEMORY);
    const d = byCode(ds, 'pod-birth/insufficient-memory');
    expect(d).toBeDefined();
    const line = lineOf(text, 'memory: 64Gi');
    expect(line).toBe(12);
    const col = text.split('\n')[line]!.indexOf('memory');
    expect(d!.range).toEqual({
      start: { line, character: col },
      end: { line, character: col + 'memory: 64Gi'.length },
    });
    expect(d!.severity).toBe(DiagnosticSeverity.Error);
    expect(d!.source).toBe('Pod Birth');
    expect(d!.message).toContain('do not have enough free memory');
    expect(d!.message).toContain('Lower resources.requests.memory');
    expect(d!.data).toEqual({ traceId: 't1', cause: 'insufficient-memory', diagnosis: 0, step: null });
    // The failed scheduling step has no field of its own and is explained by the diagnosis: one mark only.
    expect(h.traceDiags(uri)).toHaveLength(1);
    await until('both refresh requests', () => h.refreshes.includes('codeLens') && h.refreshes.includes('inlayHint'));
  });

  it('does not send refresh requests to a client that does not support them', async () => {
    const h = await server({});
    const uri = 'file:///no-refresh.yaml';
    await h.open(uri, sample('pending-memory.yaml'));
    expect(byCode(await h.update('t1', uri, MEMORY), 'pod-birth/insufficient-memory')).toBeDefined();
    await h.clear('t1', uri);
    await sleep(100);
    expect(h.refreshes).toEqual([]);
  });

  it('follows the text: moves with lines inserted above, falls back to the nearest parent, vanishes with the container or a renamed document', async () => {
    const h = await server();
    const uri = 'file:///edits.yaml';
    const text = sample('pending-memory.yaml');
    await h.open(uri, text);
    await h.update('t1', uri, MEMORY);
    // Three lines above: the mark moves down three lines.
    let ds = await h.change(uri, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# one\n# two\n# three\n' },
    ]);
    expect(byCode(ds, 'pod-birth/insufficient-memory')?.range.start).toEqual({ line: 15, character: 10 });
    // A second container inserted before it: the trace's container is followed by its binding, not by index.
    ds = await h.change(uri, [
      {
        range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } },
        text: '    - name: sidecar\n      image: busybox:1.36\n',
      },
    ]);
    expect(byCode(ds, 'pod-birth/insufficient-memory')?.range.start).toEqual({ line: 17, character: 10 });
    // memory: removed: the mark stands on `requests:` and says what is missing.
    ds = await h.change(uri, [
      { range: { start: { line: 17, character: 10 }, end: { line: 17, character: 22 } }, text: 'cpu: 100m' },
    ]);
    const parent = byCode(ds, 'pod-birth/insufficient-memory');
    expect(parent?.range.start).toEqual({ line: 16, character: 8 });
    expect(parent?.message).toContain('is not in the manifest');
    expect(parent?.message).toContain('add `memory:` under `spec.containers[1].resources.requests`');
    // The container deleted: the mapping no longer holds.
    ds = await h.change(uri, [
      { range: { start: { line: 12, character: 0 }, end: { line: 18, character: 0 } }, text: '' },
    ]);
    expect(h.traceDiags(uri)).toEqual([]);
    expect(ds.every((d) => !String(d.code).startsWith('pod-birth/insufficient'))).toBe(true);
  });

  it('drops the marks when the document at that index gets another name, and shows them again when it is back', async () => {
    const h = await server();
    const uri = 'file:///rename.yaml';
    await h.open(uri, sample('pending-memory.yaml'));
    await h.update('t1', uri, MEMORY);
    const nameLine = lineOf(sample('pending-memory.yaml'), 'name: too-big');
    await h.change(uri, [
      { range: { start: { line: nameLine, character: 8 }, end: { line: nameLine, character: 15 } }, text: 'other' },
    ]);
    expect(h.traceDiags(uri)).toEqual([]);
    expect((await h.lenses(uri)).map((l) => l.command?.title)).toEqual(['Trace Pod Birth: Pod/other']);
    await h.change(uri, [
      { range: { start: { line: nameLine, character: 8 }, end: { line: nameLine, character: 13 } }, text: 'too-big' },
    ]);
    expect(h.traceDiags(uri).map((d) => d.code)).toEqual(['pod-birth/insufficient-memory']);
  });

  it('keeps a trace until it is cleared; clearing removes its marks and lens and refreshes', async () => {
    const h = await server();
    const uri = 'file:///clear.yaml';
    await h.open(uri, sample('pending-memory.yaml'));
    await h.update('t1', uri, MEMORY);
    const lenses = await h.lenses(uri);
    expect(lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments])).toEqual(
      [
        [1, 'Trace Pod Birth: Pod/too-big', TRACE_DOCUMENT_COMMAND, [{ uri, docIndex: 0 }]],
        [1, 'Pending: insufficient memory', FOCUS_TRACE_COMMAND, ['t1']],
      ],
    );
    const refreshed = h.refreshes.length;
    const ds = await h.clear('t1', uri);
    expect(ds.filter((d) => d.data !== undefined)).toEqual([]);
    expect((await h.lenses(uri)).map((l) => l.command?.title)).toEqual(['Trace Pod Birth: Pod/too-big']);
    await until('refresh after clear', () => h.refreshes.length >= refreshed + 2);
  });

  it('shows the trace started last on a document; an older one again when the newer one is cleared', async () => {
    const h = await server();
    const uri = 'file:///latest.yaml';
    await h.open(uri, sample('pending-memory.yaml'));
    await h.update('old', uri, MEMORY);
    await h.update('new', uri, PRESENT, 0, false);
    expect(h.traceDiags(uri)).toEqual([]);
    const ready = PRESENT.steps.find((s) => s.kind === 'ready')!;
    const created = PRESENT.steps.find((s) => s.kind === 'created')!;
    expect((await h.lenses(uri))[1]?.command).toEqual({
      title: `Ready in ${formatDuration(diffMs(created.start!, ready.end!))}`,
      command: FOCUS_TRACE_COMMAND,
      arguments: ['new'],
    });
    // An update of the older trace does not take the document back.
    await h.update('old', uri, MEMORY);
    expect(h.traceDiags(uri)).toEqual([]);
    await h.clear('new', uri);
    expect(h.traceDiags(uri).map((d) => d.code)).toEqual(['pod-birth/insufficient-memory']);
  });

  it('marks a failed step no diagnosis explains on its field (a pull failure before the pod status says why)', async () => {
    const h = await server();
    const uri = 'file:///missing-image.yaml';
    const text = sample('missing-image.yaml');
    await h.open(uri, text);
    const ds = await h.update('t1', uri, { ...MISSING, diagnosis: [] });
    const d = byCode(ds, 'pod-birth/image-pull-failed');
    const line = lineOf(text, 'image: busybox:0.0-does-not-exist');
    expect(d?.range).toEqual({
      start: { line, character: 6 },
      end: { line, character: text.split('\n')[line]!.length },
    });
    expect(d?.message).toMatch(/^PullImage failed main ×2: Failed to pull image "busybox:does-not-exist"/);
    expect(d?.data).toMatchObject({
      traceId: 't1',
      cause: 'image-pull-failed',
      diagnosis: null,
      step: 'image-pull-failed:main',
    });
    // With the diagnosis, the diagnosis speaks for the field and the step adds nothing.
    const full = await h.update('t1', uri, MISSING);
    expect(full.filter((x) => x.data !== undefined).map((x) => [x.code, x.range.start.line])).toEqual([
      ['pod-birth/image-pull-failed', line],
    ]);
    expect(byCode(full, 'pod-birth/image-pull-failed')?.message).toContain('does not exist in the registry');
  });

  it('rebases pod paths onto a Deployment template', async () => {
    const h = await server();
    const uri = 'file:///deployment.yaml';
    const text = sample('deployment.yaml');
    await h.open(uri, text);
    const ds = await h.update('t1', uri, CRASH);
    const d = byCode(ds, 'pod-birth/crash-loop');
    expect(d?.range.start).toEqual({ line: lineOf(text, '- name: web'), character: 10 });
    expect((await h.hints(uri)).map((x) => [x.position.line, x.label])).toEqual([
      [lineOf(text, '- name: web'), expect.stringMatching(/^started in \d+ms \(restart 2\)$/)],
      [lineOf(text, 'image: busybox'), 'present'],
    ]);
    expect(markdown(await h.hover(uri, lineOf(text, 'image: busybox'), 12))).toContain('- restarts: 2');
  });
});

describe('trace hovers', () => {
  it("shows a container's live timings on its name: and image: lines, with source and precision", async () => {
    const h = await server();
    const uri = 'file:///busybox.yaml';
    const text = sample('busybox-pod.yaml');
    await h.open(uri, text);
    await h.update('t1', uri, FRESH, 0, false);
    const pull = FRESH.steps.find((s) => s.kind === 'image-pull')!;
    const create = FRESH.steps.find((s) => s.kind === 'container-created')!;
    const start = FRESH.steps.find((s) => s.kind === 'container-started')!;
    const imageLine = lineOf(text, 'image: busybox');
    const md = markdown(await h.hover(uri, imageLine, 3));
    expect(md).toContain(`- image pull: ${formatDuration(diffMs(pull.start!, pull.end!))} · runtime\\-log\\, ns`);
    expect(md).toContain('- image pull: 14ms');
    expect(md).toContain(`- create: ${formatDuration(diffMs(create.start!, create.end!))} · runtime\\-log\\, ns`);
    expect(md).toContain(`- start: ${formatDuration(diffMs(start.start!, start.end!))} · runtime\\-log\\, ns`);
    expect(md).toContain('container main');
    expect(md).toContain('pod pod\\-birth\\-fx\\-fresh\\-pull\\/fresh\\-pull · ready');
    expect(markdown(await h.hover(uri, lineOf(text, '- name: hello'), 8))).toBe(md);
    expect(await h.hover(uri, lineOf(text, 'command:'), 8)).toBeNull();
    expect(await h.hover(uri, lineOf(text, 'kind: Pod'), 2)).toBeNull();
  });

  it('shows restarts and the failure of a crash-looping container', async () => {
    const h = await server();
    const uri = 'file:///crashloop.yaml';
    const text = sample('crashloop.yaml');
    await h.open(uri, text);
    await h.update('t1', uri, CRASH);
    const md = markdown(await h.hover(uri, lineOf(text, '- name: app'), 8));
    expect(md).toContain('- image present: at 10:00:45Z · event\\, s');
    expect(md).toContain('- restarts: 2');
    expect(md).toMatch(/restart 2: started in \d+ms/);
    expect(md).toContain('exit code 3 \\(Error\\)');
    expect(md).toContain('back-off ×3');
  });

  it('shows the Pending cause on the resources fields it is about', async () => {
    const h = await server();
    const uri = 'file:///pending-hover.yaml';
    const text = sample('pending-memory.yaml');
    await h.open(uri, text);
    await h.update('t1', uri, MEMORY);
    for (const needle of ['memory: 64Gi', 'requests:', 'resources:']) {
      const md = markdown(
        await h.hover(uri, lineOf(text, needle), text.split('\n')[lineOf(text, needle)]!.indexOf(needle[0]!) + 1),
      );
      expect(md, needle).toContain('Pending: insufficient memory');
      expect(md, needle).toContain('Lower resources\\.requests\\.memory');
      expect(md, needle).toContain('Evidence: 0\\/1 nodes are available\\: 1 Insufficient memory');
    }
    expect(await h.hover(uri, lineOf(text, 'command:'), 8)).toBeNull();
  });

  it('escapes hostile cluster text: no link, image, HTML or emphasis reaches the Markdown', async () => {
    const h = await server();
    const uri = 'file:///hostile.yaml';
    const text = sample('missing-image.yaml');
    await h.open(uri, text);
    const evil =
      '[click me](https://evil.example/x) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)> **bold** `code` https://evil.example';
    const trace: Trace = {
      ...MISSING,
      pod: { ...MISSING.pod, name: '<b>pod</b>' },
      steps: MISSING.steps.map((s) => (s.kind === 'image-pull-failed' ? { ...s, message: evil } : s)),
      diagnosis: MISSING.diagnosis.map((d) => ({ ...d, evidence: evil })),
    };
    await h.update('t1', uri, trace);
    const md = markdown(await h.hover(uri, lineOf(text, 'image:'), 8));
    expect(md).toContain('\\[click me\\]\\(https\\:\\/\\/evil\\.example\\/x\\)');
    expect(md).toContain('\\<img src\\=x onerror\\=alert\\(1\\)\\>');
    expect(md).toContain('\\<b\\>pod\\<\\/b\\>');
    // Nothing Markdown or HTML would act on is left unescaped.
    for (const raw of [/(?<!\\)\]\(/, /(?<!\\)<img/, /(?<!\\)<b>/, /(?<!\\)\*\*bold/, /(?<!\\)`code/, /https:\/\//])
      expect(md).not.toMatch(raw);
  });
});

describe('trace inlay hints', () => {
  it('says how the image came and how long the container took to start, at the end of the lines', async () => {
    const h = await server();
    const uri = 'file:///hints.yaml';
    const text = sample('busybox-pod.yaml');
    await h.open(uri, text);
    await h.update('t1', uri, FRESH);
    const create = FRESH.steps.find((s) => s.kind === 'container-created')!;
    const start = FRESH.steps.find((s) => s.kind === 'container-started')!;
    const lines = text.split('\n');
    const name = lineOf(text, '- name: hello');
    const image = lineOf(text, 'image: busybox');
    expect(await h.hints(uri)).toEqual([
      {
        position: { line: name, character: lines[name]!.length },
        label: `started in ${formatDuration(diffMs(create.start!, start.end!))}`,
        paddingLeft: true,
      },
      { position: { line: image, character: lines[image]!.length }, label: 'pulled in 14ms', paddingLeft: true },
    ]);
    expect((await h.hints(uri))[0]?.label).toBe('started in 89ms');
    expect(await h.hints(uri, 0, name - 1)).toEqual([]);
  });

  it('says present, pull failed, and which restart a start time is about', async () => {
    const h = await server();
    const a = 'file:///present.yaml';
    const b = 'file:///failed.yaml';
    const c = 'file:///crash.yaml';
    await h.open(a, sample('crashloop.yaml'));
    await h.open(b, sample('missing-image.yaml'));
    await h.open(c, sample('crashloop.yaml'));
    await h.update('p', a, PRESENT);
    await h.update('m', b, MISSING);
    await h.update('c', c, CRASH);
    expect((await h.hints(a)).map((x) => x.label)).toEqual([expect.stringMatching(/^started in \d+ms$/), 'present']);
    expect((await h.hints(b)).map((x) => x.label)).toEqual(['pull failed']);
    expect((await h.hints(c)).map((x) => x.label)).toEqual([
      expect.stringMatching(/^started in \d+ms \(restart 2\)$/),
      'present',
    ]);
  });
});
