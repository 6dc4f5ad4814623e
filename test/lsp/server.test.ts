// The real language server over in-memory streams: initialize, open a manifest, read diagnostics and
// CodeLenses as VS Code would.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConnection } from 'vscode-languageserver/node';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
  type CodeLens,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../../src/server/serve.js';
import { analyze } from '../../src/server/analysis.js';

function harness() {
  const up = new PassThrough();
  const down = new PassThrough();
  startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)));
  const client = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const diagnostics: PublishDiagnosticsParams[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => void diagnostics.push(p));
  client.listen();
  return { client, diagnostics };
}

const manifest = `# two documents
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: busybox:1.36
---
apiVersion: apps/v1
kind: deployment
metadata: {name: api}
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec: [unclosed
`;

describe('language server', () => {
  it('publishes YAML and wrong-kind diagnostics and one CodeLens per traceable document', async () => {
    const { client, diagnostics } = harness();
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    await client.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'file:///m.yaml', languageId: 'yaml', version: 1, text: manifest },
    });
    const t0 = Date.now();
    while (diagnostics.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    const d = diagnostics[0]!;
    expect(d.uri).toBe('file:///m.yaml');
    const codes = d.diagnostics.map((x) => x.code);
    expect(codes).toContain('pod-birth/wrong-kind');
    expect(codes).toContain('pod-birth/yaml-error');
    const wrong = d.diagnostics.find((x) => x.code === 'pod-birth/wrong-kind')!;
    expect(wrong.message).toContain('did you mean "Deployment"');
    const yamlErr = d.diagnostics.find((x) => x.code === 'pod-birth/yaml-error')!;
    expect(yamlErr.range.start.line).toBeGreaterThanOrEqual(18);
    const lenses = (await client.sendRequest('textDocument/codeLens', {
      textDocument: { uri: 'file:///m.yaml' },
    })) as CodeLens[];
    expect(lenses.map((l) => [l.range.start.line, l.command?.title])).toEqual([[1, 'Trace Pod Birth: Pod/web']]);
    expect(lenses[0]?.command?.arguments).toEqual([{ uri: 'file:///m.yaml', docIndex: 0 }]);
    client.dispose();
  });

  it('leaves YAML that is not a Kubernetes manifest alone', () => {
    expect(analyze('name: x\nlist: [1, 2\n')).toEqual({ diagnostics: [], lenses: [], kubernetes: false });
  });
});
