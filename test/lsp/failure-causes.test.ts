// The failure causes on the manifest, with the real server and traces of real recordings
// (test/fixtures/recorded/<scenario>/): each cause coded `pod-birth/<cause>` on the field it names, no
// crash-loop where the process never ran, and no squiggle at all for a pod that became Ready after a
// slow readiness probe.
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { recordedTrace } from '../support/recorded.js';
import { byCode, lineOf, serverPerTest } from './harness.js';

const server = serverPerTest();

const POD = (name: string, container: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 0
${container}`;

describe('failure causes on the manifest', () => {
  it('a command that does not exist: start-error on the command line, no crash-loop, no separate step mark', async () => {
    const h = await server();
    const uri = 'file:///bad-command.yaml';
    const text = POD(
      'bad-command',
      `  restartPolicy: Never
  containers:
    - name: main
      image: busybox:1.36
      command: ["/bin/does-not-exist"]
`,
    );
    await h.open(uri, text);
    const ds = await h.update('t1', uri, recordedTrace('start-error-command'));
    const d = byCode(ds, 'pod-birth/start-error');
    expect(d?.range.start.line).toBe(lineOf(text, 'command:'));
    expect(d?.severity).toBe(DiagnosticSeverity.Error);
    expect(d?.message).toContain('"/bin/does-not-exist"');
    expect(byCode(ds, 'pod-birth/crash-loop')).toBeUndefined();
    // The failed container step is what the diagnosis explains: one mark.
    expect(h.traceDiags(uri)).toHaveLength(1);
  });

  it('a readiness probe that failed 4× and then passed: no mark at all', async () => {
    const h = await server();
    const uri = 'file:///slow-ready.yaml';
    const text = POD(
      'slow-ready',
      `  containers:
    - name: main
      image: busybox:1.36
      command: ["sh", "-c", "sleep 3; touch /tmp/ready; sleep 3600"]
      readinessProbe:
        exec:
          command: ["test", "-f", "/tmp/ready"]
        periodSeconds: 1
`,
    );
    await h.open(uri, text);
    await h.update('t1', uri, recordedTrace('readiness-slow'));
    expect(h.traceDiags(uri)).toEqual([]);
  });

  it('imagePullPolicy Never without the image: on that line, with a quick fix to IfNotPresent', async () => {
    const h = await server();
    const uri = 'file:///never-pull.yaml';
    const text = POD(
      'never-pull',
      `  containers:
    - name: main
      image: busybox:never-pulled-ba4110
      imagePullPolicy: Never
      command: ["sleep", "3600"]
`,
    );
    await h.open(uri, text);
    const ds = await h.update('t1', uri, recordedTrace('image-never-pull'));
    const d = byCode(ds, 'pod-birth/image-never-pull');
    const line = lineOf(text, 'imagePullPolicy: Never');
    expect(d?.range.start.line).toBe(line);
    const [fix] = await h.actions(uri, [d!]);
    expect(fix?.title).toMatch(/IfNotPresent/);
    const edits = Object.values(fix?.edit?.changes ?? {})[0] ?? [];
    expect(edits).toEqual([
      {
        range: { start: { line, character: 23 }, end: { line, character: 28 } },
        newText: 'IfNotPresent',
      },
    ]);
  });

  it("a Job that gave up: backoff-limit-exceeded on the Job's own backoffLimit, the exit in its template", async () => {
    const h = await server();
    const uri = 'file:///job.yaml';
    const text = `apiVersion: batch/v1
kind: Job
metadata:
  name: fails
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: busybox:1.36
          command: ["sh", "-c", "echo failing >&2; exit 1"]
`;
    await h.open(uri, text);
    const ds = await h.update('t1', uri, recordedTrace('job-backoff-limit'));
    expect(byCode(ds, 'pod-birth/backoff-limit-exceeded')?.range.start.line).toBe(lineOf(text, 'backoffLimit:'));
    expect(byCode(ds, 'pod-birth/container-exited')?.range.start.line).toBe(lineOf(text, '- name: main'));
    expect(byCode(ds, 'pod-birth/crash-loop')).toBeUndefined();
  });
});
