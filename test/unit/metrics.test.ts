import { describe, expect, it } from 'vitest';
import { metricsNote, parseRuntimeOperationMetrics } from '../../src/cluster/metrics.js';

const scrape = (
  sandboxSum: number,
  sandboxCount: number,
) => `# HELP kubelet_runtime_operations_duration_seconds [ALPHA] Duration in seconds of runtime operations.
# TYPE kubelet_runtime_operations_duration_seconds histogram
kubelet_runtime_operations_duration_seconds_bucket{operation_type="run_podsandbox",le="0.005"} 0
kubelet_runtime_operations_duration_seconds_sum{operation_type="run_podsandbox"} ${sandboxSum}
kubelet_runtime_operations_duration_seconds_count{operation_type="run_podsandbox"} ${sandboxCount}
kubelet_runtime_operations_duration_seconds_sum{operation_type="start_container"} 0.5
kubelet_runtime_operations_duration_seconds_count{operation_type="start_container"} 5
kubelet_runtime_operations_duration_seconds_sum{operation_type="list_containers"} 9
kubelet_runtime_operations_duration_seconds_count{operation_type="list_containers"} 900
`;

describe('kubelet runtime-operation metrics', () => {
  it('parses sums and counts of the CRI operations a birth uses', () => {
    expect(parseRuntimeOperationMetrics(scrape(1.2, 10))).toEqual({
      run_podsandbox: { sum: 1.2, count: 10 },
      start_container: { sum: 0.5, count: 5 },
    });
  });
  it('turns two scrapes into an average-duration note that says it is node-wide', () => {
    const n = metricsNote(
      parseRuntimeOperationMetrics(scrape(1.2, 10)),
      parseRuntimeOperationMetrics(scrape(1.45, 11)),
      'n1',
    );
    expect(n?.source).toBe('metrics');
    expect(n?.message).toContain('RunPodSandbox 250.0 ms avg over 1 call(s)');
    expect(n?.message).not.toContain('StartContainer');
    expect(n?.message).toMatch(/node-wide averages/);
    expect(metricsNote({}, {}, 'n1')).toBeNull();
  });
  it('ignores garbage', () => expect(parseRuntimeOperationMetrics('<html>nope</html>')).toEqual({}));
});
