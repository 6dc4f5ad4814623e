// The restart detection behind the `disturbance` notes (src/cluster/disturbance.ts), on lines as the
// real cluster's Node Log Query returned them when containerd and the kubelet were restarted
// (node-daemons.test.ts drives the live version). No cluster needed.

import { describe, expect, it } from 'vitest';
import { laterProcesses, runtimeStarts } from '../../../src/cluster/disturbance.js';
import { parseLogText } from '../../../src/core/logs/index.js';
import { parseInstant } from '../../../src/core/time.js';

const created = parseInstant('2026-11-23T12:07:00Z')!;

describe('restart detection in node logs', () => {
  it('containerd: the start banner, at or after the pod creation only', () => {
    const text = [
      'Nov 23 12:06:50.100000 vm containerd[100]: time="2026-11-23T12:06:50.099999999Z" level=info msg="starting containerd" revision= version=1.6.20~ds1',
      'Nov 23 12:07:02.417361 vm containerd[27716]: time="2026-11-23T12:07:02.417233534Z" level=info msg="StartContainer for \\"f0\\" returns successfully"',
      'Nov 23 12:07:03.001000 vm containerd[27800]: time="2026-11-23T12:07:03.000912345Z" level=info msg="starting containerd" revision= version=1.6.20~ds1',
      'time="2026-11-23T12:07:04.5Z" level=info msg="Starting CRI-O, version: 1.30.0, git: unknown"',
    ].join('\n');
    expect(runtimeStarts(text, created).map((s) => `${s.runtime} ${s.at.key}`)).toEqual([
      'containerd 2026-11-23T12:07:03.000912345Z',
      'CRI-O 2026-11-23T12:07:04.500000000Z',
    ]);
  });

  it('kubelet: lines about the pod from a second process (journal prefix or klog header)', () => {
    const journal = [
      'Nov 23 12:07:11.669146 vm kubelet[27991]: I1123 12:07:11.669089   27991 kubelet.go:2551] "SyncLoop (PLEG): event for pod" pod="ns/p" event={"ID":"1b","Type":"ContainerStarted","Data":"4c"}',
      'Nov 23 12:07:08.561867 vm kubelet[27991]: I1123 12:07:08.560659   27991 kubelet.go:2520] "SyncLoop ADD" source="api" pods=["other/x","ns/p"]',
      'Nov 23 12:07:05.340349 vm kubelet[25502]: I1123 12:07:05.339934   25502 kubelet.go:2520] "SyncLoop ADD" source="api" pods=["ns/p"]',
    ].join('\n');
    const records = parseLogText(journal, { referenceYear: 2026 }).records;
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(laterProcesses(records).map((p) => `${p.pid} ${p.firstSeen.key.slice(0, 23)}`)).toEqual([
      '27991 2026-11-23T12:07:08.561',
    ]);
    // Plain klog (a file, no journal): the header's pid.
    const klog = journal
      .split('\n')
      .map((l) => l.replace(/^.*?\]: /, ''))
      .join('\n');
    expect(laterProcesses(parseLogText(klog, { referenceYear: 2026 }).records).map((p) => p.pid)).toEqual(['27991']);
    // One process: no restart.
    expect(
      laterProcesses(parseLogText(journal.split('\n').slice(0, 2).join('\n'), { referenceYear: 2026 }).records),
    ).toEqual([]);
  });
});
