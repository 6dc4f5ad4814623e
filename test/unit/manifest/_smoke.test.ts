import { test } from 'vitest';
import { parseManifest, rangeOf, pathAt, podPath, containerPath, documentAt, suggestAddition } from '../../../src/core/manifest/index.js';
test('smoke', () => {
  const text = `# c\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "nginx:1"   # x\n          resources: {requests: {memory: 64Mi}}\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: b}\n`;
  const m = parseManifest(text);
  for (const d of m.documents) console.log(d.index, d.kind, d.name, d.podTemplatePath, JSON.stringify(d.range), d.errors);
  const d = m.documents[0]!;
  console.log(JSON.stringify(rangeOf(d, 'spec.template.spec.containers[0].image')));
  console.log(JSON.stringify(rangeOf(d, 'spec.template.spec.containers[0].resources.requests.memory')));
  const miss = rangeOf(d, 'spec.template.spec.tolerations[0].key');
  console.log(JSON.stringify(miss), suggestAddition(miss));
  console.log(podPath(d, 'spec.containers[0].image'), containerPath(d, 'app'));
  for (const [l, c] of [[9, 8], [9, 0], [8, 17], [16, 22], [17, 5], [10, 12], [10, 20], [11, 35], [0, 0], [4, 3]] as const) console.log(l, c, JSON.stringify(pathAt(d, l, c)));
  const p = m.documents[1]!;
  console.log(JSON.stringify(rangeOf(p, 'spec.containers[0].image')), JSON.stringify(pathAt(p, 16, 22)));
  console.log(documentAt(m, 12)?.index, documentAt(m, 11)?.index, documentAt(m, 0)?.index);
});
