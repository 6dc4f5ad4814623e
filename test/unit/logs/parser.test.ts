import { describe, expect, it } from 'vitest';
import { createLogParser, detectLineFormat, parseLogText } from '../../../src/core/logs/index.js';
import { parseInstant } from '../../../src/core/time.js';

const CTR = '6eb6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0';
const start = (t: string): string => `time="${t}" level=info msg="StartContainer for \\"${CTR}\\""`;
const add = (hdr: string): string =>
  `${hdr}    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]`;

describe('year resolution for year-less times', () => {
  it('uses referenceYear', () => {
    expect(parseLogText(add('I0528 16:17:04.319660'), { referenceYear: 2023 }).records[0]?.time.key).toBe(
      '2023-05-28T16:17:04.319660000Z',
    );
  });

  it('uses the nearest year to a reference instant', () => {
    const reference = parseInstant('2027-01-02T00:00:00Z');
    if (!reference) throw new Error('bad fixture');
    expect(parseLogText(add('I1231 23:59:59.000001'), { reference }).records[0]?.time.key).toBe(
      '2026-12-31T23:59:59.000001000Z',
    );
  });

  it('infers the year from a full timestamp later in the same text, keeping line order', () => {
    const text = [
      `May 28 16:17:03.000001 node-1 containerd[819]: level=info msg="StartContainer for \\"${CTR}\\""`,
      add('I0528 16:17:03.500000'),
      start('2022-05-28T16:17:04.000000001Z'),
    ].join('\n');
    const out = parseLogText(text);
    expect(out.records.map((r) => r.time.key)).toEqual([
      '2022-05-28T16:17:03.000001000Z',
      '2022-05-28T16:17:03.500000000Z',
      '2022-05-28T16:17:04.000000001Z',
    ]);
  });

  it('infers the year from the startup-duration timestamps of a kubelet-only log', () => {
    const text = [
      add('I0528 16:17:02.000001'),
      'I0528 16:17:04.319660    4941 pod_startup_latency_tracker.go:102] "Observed pod startup duration" pod="default/nginx" podStartSLOduration=1 podStartE2EDuration="2s" podCreationTimestamp="2021-05-28 16:17:02 +0000 UTC" firstStartedPulling="0001-01-01 00:00:00 +0000 UTC" lastFinishedPulling="0001-01-01 00:00:00 +0000 UTC" observedRunningTime="2021-05-28 16:17:04.2 +0000 UTC m=+1.2" watchObservedRunningTime="2021-05-28 16:17:04.31 +0000 UTC m=+1.3"',
    ].join('\n');
    expect(parseLogText(text).records.map((r) => r.time.key.slice(0, 4))).toEqual(['2021', '2021']);
  });

  it('rolls over New Year', () => {
    const text = [add('I1231 23:59:59.900000'), add('I0101 00:00:00.100000')].join('\n');
    expect(parseLogText(text, { referenceYear: 2025 }).records.map((r) => r.time.key)).toEqual([
      '2025-12-31T23:59:59.900000000Z',
      '2026-01-01T00:00:00.100000000Z',
    ]);
  });

  it('falls back to the current UTC year at the end when nothing tells the year', () => {
    const out = parseLogText(add('I0528 16:17:04.319660'));
    expect(out.records[0]?.time.key.slice(0, 4)).toBe(String(new Date().getUTCFullYear()));
  });

  it('drops a date that does not exist in the resolved year (Feb 29) and counts it skipped', () => {
    const out = parseLogText(add('I0229 10:00:00.000000'), { referenceYear: 2023 });
    expect(out.records).toEqual([]);
    expect(out.skipped).toBe(1);
  });
});

describe('streaming', () => {
  it('holds year-less records until a full timestamp arrives, then releases them in order', () => {
    const p = createLogParser();
    expect(p.push(add('I0528 16:17:02.000001'))).toEqual([]);
    const released = p.push(start('2020-05-28T16:17:03.000000001Z'));
    expect(released.map((r) => r.time.key)).toEqual([
      '2020-05-28T16:17:02.000001000Z',
      '2020-05-28T16:17:03.000000001Z',
    ]);
    expect(p.push(add('I0528 16:17:04.000001')).map((r) => r.time.key)).toEqual(['2020-05-28T16:17:04.000001000Z']);
    expect(p.end()).toEqual([]);
    expect(p.format).toBe('klog'); // two klog records vs one containerd record
  });

  it('emits immediately when a reference year is given, and end() flushes nothing more', () => {
    const p = createLogParser({ referenceYear: 2024 });
    expect(p.push(add('I0528 16:17:02.000001'))).toHaveLength(1);
    expect(p.end()).toEqual([]);
  });

  it('splits a pushed chunk that contains newlines', () => {
    const p = createLogParser();
    expect(
      p.push(`${start('2024-05-28T16:17:03.000000001Z')}\r\n${start('2024-05-28T16:17:04.000000001Z')}\r\n`),
    ).toHaveLength(2);
  });

  it('never throws on non-string input', () => {
    const p = createLogParser();
    expect(p.push(undefined as unknown as string)).toEqual([]);
    expect(parseLogText(null as unknown as string).records).toEqual([]);
  });
});

describe('text hygiene', () => {
  it('handles CRLF, blank lines, a BOM and NUL bytes', () => {
    const text = `\uFEFF${start('2024-05-28T16:17:03.000000001Z')}\r\n\r\n   \n${start('2024-05-28T16:17:04.000000001Z').replace('level', 'le\0vel')}\r\n`;
    const out = parseLogText(text);
    expect(out.records).toHaveLength(2);
    expect(out.skipped).toBe(0);
    expect(out.records[0]?.raw.startsWith('time=')).toBe(true);
    expect(out.records.every((r) => !r.raw.includes('\r') && !r.raw.includes('\0'))).toBe(true);
  });

  it('caps raw but parses a very long line whole', () => {
    const err = 'x'.repeat(2_000_000);
    const line = `time="2024-05-28T16:17:03.000000001Z" level=error msg="PullImage \\"nginx:1\\" failed" error="${err}"`;
    const out = parseLogText(line);
    expect(out.records).toHaveLength(1);
    const r = out.records[0];
    expect(r?.raw.length).toBe(4096);
    expect(r?.raw.endsWith('…')).toBe(true);
    expect(r && r.type === 'cri' ? r.error?.length : 0).toBe(2_000_000);
    expect(parseLogText(line, { maxRawLength: 100 }).records[0]?.raw.length).toBe(100);
  });

  it('counts unknown lines as skipped and picks the majority format', () => {
    const text = [
      'hello world',
      '{"not":"logrus"}',
      start('2024-05-28T16:17:03.000000001Z'),
      'time="2024-05-28T16:17:03.000000001Z" level=info msg="Pulling image: nginx" id=1 name=/runtime.v1.ImageService/PullImage',
      'time="2024-05-28T16:17:03.000000001Z" level=info msg="Pulling image: busybox" id=2 name=/runtime.v1.ImageService/PullImage',
    ].join('\n');
    const out = parseLogText(text);
    expect(out.skipped).toBe(2);
    expect(out.format).toBe('crio-text');
  });

  it('returns format null for text with no known line', () => {
    expect(parseLogText('').format).toBeNull();
    expect(parseLogText('a\nb\n').format).toBeNull();
  });

  it('detects single-line formats', () => {
    expect(detectLineFormat(start('2024-05-28T16:17:03.000000001Z'))).toBe('containerd-text');
    expect(detectLineFormat(add('I0528 16:17:04.319660'))).toBe('klog');
    expect(
      detectLineFormat(
        'time="2024-05-28 16:17:03.1Z" level=info msg="Something else" id=1 name=/runtime.v1.RuntimeService/Status',
      ),
    ).toBe('crio-text');
    expect(
      detectLineFormat(
        'Jun 04 00:27:53 h containerd[1]: time="2024-06-04T00:27:53.501046477Z" level=info msg="ImageCreate event"',
      ),
    ).toBe('containerd-text');
    expect(detectLineFormat('nothing here')).toBeNull();
  });

  it('accepts a short-iso journald prefix', () => {
    const line =
      '2024-05-28T16:17:04.319702+00:00 node-1 kubelet[4941]: I0528 16:17:04.319660    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]';
    expect(parseLogText(line).records[0]?.time).toEqual({ key: '2024-05-28T16:17:04.319702000Z', precision: 'us' });
  });
});
