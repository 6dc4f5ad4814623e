// Both runtimes log through logrus: the text formatter (`time="…" level=info msg="…" k=v`) by
// default, the JSON formatter when configured. This module only splits a line into its parts; what the
// message means is the runtime modules' business.

import { isRecord } from '../guards.js';
import { parseKeyValues } from './key-values.js';

export interface LogrusEntry {
  readonly encoding: 'text' | 'json';
  readonly time: string | null;
  readonly level: string | null;
  readonly msg: string;
  /** Every other field (`error`, CRI-O's `id`/`name`, `containerID`, …). */
  readonly fields: ReadonlyMap<string, string>;
}

function split(encoding: 'text' | 'json', all: Map<string, string>): LogrusEntry | null {
  const msg = all.get('msg');
  if (msg === undefined) return null;
  const time = all.get('time') ?? null;
  const level = all.get('level') ?? null;
  // A stray `msg=` in some other text is not logrus: logrus always prints level (and time unless
  // disabled) with it.
  if (time === null && level === null) return null;
  all.delete('msg');
  all.delete('time');
  all.delete('level');
  return { encoding, time, level, msg, fields: all };
}

export function parseLogrusText(body: string): LogrusEntry | null {
  if (!(body.startsWith('time=') || body.startsWith('level=') || body.startsWith('msg='))) return null;
  return split('text', parseKeyValues(body, 0));
}

function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

export function parseLogrusJson(body: string): LogrusEntry | null {
  if (!body.startsWith('{')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  const all = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) all.set(k, fieldText(v));
  if (typeof parsed['msg'] !== 'string') return null;
  return split('json', all);
}
