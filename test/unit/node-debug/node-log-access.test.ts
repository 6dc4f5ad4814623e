// Why Node Log Query is not usable, from the kubelet's real answers: /configz and the log query's
// HTML listing recorded on the test cluster in stock and open mode (test/fixtures/node-access/,
// written by test/cluster/stock-mode.test.ts with POD_BIRTH_RECORD=1).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyLogQueryBody } from '../../../src/cluster/node-proxy.js';
import {
  enableLogQuerySnippet,
  explainLogAccess,
  nodeLogQueryGate,
  parseKubeletConfigz,
  type KubeletLogConfig,
} from '../../../src/core/node-log-access.js';

const DIR = join(__dirname, '..', '..', 'fixtures', 'node-access');
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');

function config(f: string): KubeletLogConfig {
  const c = parseKubeletConfigz(read(f));
  if (!c) throw new Error(`${f}: not a kubelet configuration`);
  return c;
}

describe('the kubelet configuration (/configz, recorded)', () => {
  it('stock 1.34: enableSystemLogQuery false, the gate not set (its default)', () => {
    expect(config('stock-1.34/configz.json')).toEqual({
      enableSystemLogHandler: true,
      enableSystemLogQuery: false,
      nodeLogQueryGate: null,
    });
  });
  it('open 1.34: both on', () => {
    expect(config('open-1.34/configz.json')).toEqual({
      enableSystemLogHandler: true,
      enableSystemLogQuery: true,
      nodeLogQueryGate: true,
    });
  });
  it('is not fooled by other JSON or text', () => {
    expect(parseKubeletConfigz('{"kind":"Status"}')).toBeNull();
    expect(parseKubeletConfigz(read('stock-1.34/logs-query.html'))).toBeNull();
  });
});

describe('the log query answer (recorded)', () => {
  it('stock: a 200 text/html listing of /var/log is a listing, not lines', () => {
    const html = read('stock-1.34/logs-query.html');
    expect(classifyLogQueryBody(html, 'text/html; charset=utf-8')).toBe('listing');
    expect(classifyLogQueryBody(html)).toBe('listing');
  });
  it('open: journal lines are lines', () => {
    expect(classifyLogQueryBody(read('open-1.34/logs-query.txt'), 'text/plain;charset=UTF-8')).toBe('lines');
  });
});

describe('the NodeLogQuery gate per version (kubernetes/website feature-gates/NodeLogQuery.md)', () => {
  it.each([
    ['v1.26.5', 'absent', false],
    ['v1.27.0', 'alpha', false],
    ['v1.30.1', 'beta', false],
    ['v1.34.12', 'beta', false],
    ['v1.35.4', 'beta', false],
    ['v1.36.1', 'ga', true],
    ['v1.37.2', 'ga', true],
  ])('%s: %s, default on %s', (v, stage, on) => {
    expect(nodeLogQueryGate(v)).toMatchObject({ stage, defaultOn: on });
  });
  it('the snippet has a gate line only where the gate is not GA', () => {
    expect(enableLogQuerySnippet('v1.34.12')).toEqual([
      'enableSystemLogQuery: true',
      'featureGates: {NodeLogQuery: true}',
    ]);
    expect(enableLogQuerySnippet('v1.37.2')).toEqual(['enableSystemLogQuery: true']);
  });
});

describe('the explanation every surface shows', () => {
  const base = { node: 'pod-birth-node', service: 'containerd' as const, fileFallback: null };

  it('stock 1.34: gate off by default, enableSystemLogQuery false, the HTML listing; the snippet with the gate', () => {
    const x = explainLogAccess({
      ...base,
      kubeletVersion: 'v1.34.12',
      answer: { kind: 'listing' },
      config: config('stock-1.34/configz.json'),
    });
    expect(x.causes).toEqual(['gate-off', 'system-log-query-off', 'html-listing']);
    expect(x.message).toContain('NodeLogQuery feature gate is off (not set; its default in 1.34, where it is beta)');
    expect(x.message).toContain('enableSystemLogQuery is false');
    expect(x.message).toContain("read from the kubelet's /configz");
    expect(x.message).toContain('HTML listing of /var/log (200 text/html)');
    expect(x.message).toContain('whole seconds (precision s)');
    expect(x.remedy).toContain('`enableSystemLogQuery: true` and `featureGates: {NodeLogQuery: true}`');
    expect(x.remedy).toContain('--node-debug');
  });

  it('stock 1.37 (same configz shape: the GA gate is not listed): only enableSystemLogQuery, no gate line', () => {
    const x = explainLogAccess({
      ...base,
      kubeletVersion: 'v1.37.2',
      answer: { kind: 'listing' },
      config: config('stock-1.34/configz.json'),
    });
    expect(x.causes).toEqual(['system-log-query-off', 'html-listing']);
    expect(x.remedy).toContain('Add `enableSystemLogQuery: true` to');
    expect(x.remedy).not.toContain('featureGates');
    expect(x.remedy).toContain('GA from 1.36');
  });

  it('403 on nodes/proxy: names the permission', () => {
    const x = explainLogAccess({
      ...base,
      kubeletVersion: 'v1.34.12',
      answer: { kind: 'forbidden' },
      config: { unreadable: '403 Forbidden' },
    });
    expect(x.causes).toEqual(['nodes-proxy-forbidden']);
    expect(x.message).toContain('no get on nodes/proxy');
    expect(x.remedy).toContain('resources ["nodes/proxy"], verbs ["get"]');
  });

  it('configz unreadable: says so and falls back to the version default', () => {
    const x = explainLogAccess({
      ...base,
      kubeletVersion: 'v1.33.1',
      answer: { kind: 'listing' },
      config: { unreadable: 'timeout' },
    });
    expect(x.causes).toContain('config-unreadable');
    expect(x.message).toContain('/configz: timeout');
    expect(x.message).toContain('off by default in 1.33 (beta)');
  });

  it('a runtime log file still served: CRI steps keep the runtime times, the note says where from', () => {
    const x = explainLogAccess({
      ...base,
      fileFallback: 'containerd.log',
      kubeletVersion: 'v1.34.12',
      answer: { kind: 'listing' },
      config: config('stock-1.34/configz.json'),
    });
    expect(x.message).toContain("runtime's own times (from /var/log/containerd.log");
    expect(x.message).not.toContain('no containerd log file');
  });
});
