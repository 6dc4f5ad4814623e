// The "what would fit" numbers on a real recorded Pending pod (64Ti requested on a 23 GiB node).

import { describe, expect, it } from 'vitest';
import { formatQuantity, nodeFit } from '../../../src/core/diagnosis/fit.js';
import { TraceState, buildTrace, type Evidence, type NodeCapacity } from '../../../src/core/trace/index.js';
import { RECORDED_ROOT, evidenceOf } from '../../support/recorded.js';
import { join } from 'node:path';

const GI = 1024 ** 3;
const MI = 1024 ** 2;
const cap = (node: string, allocatable: number, requested: number, observedAt = '2026-11-23T10:00:00Z'): Evidence => ({
  type: 'capacity',
  capacity: { node, resource: 'memory', allocatable, requested, observedAt } satisfies NodeCapacity,
});

function pendingTrace(extra: Evidence[]) {
  const { evidence } = evidenceOf(join(RECORDED_ROOT, 'unschedulable-memory'));
  const s = new TraceState();
  s.addAll([...evidence, ...extra]);
  return buildTrace(s);
}

describe('node fit for insufficient memory', () => {
  it('without capacity readings the diagnosis has no fit and the generic suggestion', () => {
    const d = pendingTrace([]).diagnosis.find((x) => x.cause === 'insufficient-memory');
    expect(d).toBeDefined();
    expect(d?.fit).toBeUndefined();
    expect(d?.suggestion).toMatch(/^Lower resources.requests.memory, or add capacity/);
  });

  it('picks the node with the most free memory and says the numbers', () => {
    const t = pendingTrace([
      cap('small', 8 * GI, 1 * GI),
      cap('roomy', 23 * GI, 1 * GI + 512 * MI),
      cap('full', 64 * GI, 63 * GI),
    ]);
    const d = t.diagnosis.find((x) => x.cause === 'insufficient-memory');
    expect(d?.fit).toEqual({
      resource: 'memory',
      requested: d?.fit?.requested,
      node: 'roomy',
      free: `${21 * 1024 + 512}Mi`,
      allocatable: '23Gi',
    });
    expect(d?.fit?.requested).toMatch(/^\d+(Ti|Gi|Mi)$/);
    expect(d?.suggestion).toContain(`from ${d?.fit?.requested} to at most 22016Mi`);
    expect(d?.suggestion).toContain('roomy');
  });

  it('a later reading of the same node replaces the earlier one, whatever the arrival order', () => {
    const early = cap('n1', 16 * GI, 2 * GI, '2026-11-23T10:00:00Z');
    const late = cap('n1', 16 * GI, 10 * GI, '2026-11-23T10:05:00Z');
    const a = pendingTrace([early, late]).diagnosis[0]?.fit;
    const b = pendingTrace([late, early]).diagnosis[0]?.fit;
    expect(a).toEqual(b);
    expect(a?.free).toBe('6Gi');
  });

  it("counts the pod's other containers against the room", () => {
    const pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', resources: { requests: { memory: '100Gi' } } },
          { name: 'b', resources: { limits: { memory: '1Gi' } } },
        ],
      },
    };
    const d = {
      cause: 'insufficient-memory' as const,
      message: '',
      suggestion: '',
      yamlPath: null,
      container: 'a',
      nodes: 1,
      evidence: '',
    };
    const fit = nodeFit(d, pod, [
      { node: 'n', resource: 'memory', allocatable: 8 * GI, requested: 2 * GI, observedAt: 'x' },
    ]);
    expect(fit).toEqual({ resource: 'memory', requested: '100Gi', node: 'n', free: '5Gi', allocatable: '8Gi' });
  });

  it('formats quantities as people write them', () => {
    expect(formatQuantity('memory', 2 * GI)).toBe('2Gi');
    expect(formatQuantity('memory', 2 * GI + 1)).toBe('2048Mi');
    expect(formatQuantity('memory', -5)).toBe('0Mi');
    expect(formatQuantity('cpu', 1.2345)).toBe('1234m');
  });
});
