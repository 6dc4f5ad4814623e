// Hovers from the live trace: a container's timings on its item, `name:` and `image:` lines; the
// Pending (or failure) cause on the fields it is about (resources, nodeSelector, tolerations, affinity,
// topology spread, volumes). All cluster text goes through mdText.

import { MarkupKind, type Hover } from 'vscode-languageserver';
import {
  documentAt,
  formatPath,
  locatePodPath,
  parsePath,
  pathAt,
  type PathSegment,
  type Range,
} from '../core/manifest/index.js';
import type { Diagnosis, Step } from '../core/model.js';
import { formatDuration, formatInstant } from '../core/time.js';
import { fieldRange, toLspRange, type DocView } from './doc-view.js';
import { mdText } from './markdown.js';
import { causeText, containerTimings, durationOf, startupMs } from './timings.js';
import { splitContainerPath, type TraceView } from './trace-map.js';

/** Pod fields whose causes show on hover (besides a container's `resources`). */
const POD_FIELDS = new Set(['nodeSelector', 'tolerations', 'affinity', 'topologySpreadConstraints', 'volumes']);
const MAX_RESTARTS_SHOWN = 5;

/** `spec.containers[0].resources`, `spec.tolerations`: the field a cause hover belongs to, or null. */
function fieldRoot(segs: readonly PathSegment[]): string | null {
  const c = splitContainerPath(segs);
  if (c) return c.rest[0] === 'resources' ? formatPath(segs.slice(0, 4)) : null;
  return segs[0] === 'spec' && typeof segs[1] === 'string' && POD_FIELDS.has(segs[1])
    ? formatPath(segs.slice(0, 2))
    : null;
}

/** `14ms · runtime-log, ns`: how long, and how the time is known. */
function timing(s: Step): string {
  const d = durationOf(s);
  const at = s.end ?? s.start;
  const what = d ?? (s.status === 'in-progress' ? 'in progress' : at ? `at ${formatInstant(at).slice(11)}` : 'no time');
  return `${what} · ${mdText(`${s.source}, ${s.precision}`, 40)}`;
}

function podName(tv: TraceView): string {
  const p = tv.trace.pod;
  return p.name ? `${p.namespace ? `${p.namespace}/` : ''}${p.name}` : '(not created yet)';
}

function header(tv: TraceView, what: string): string {
  return `**Pod Birth** · ${what} · pod ${mdText(podName(tv), 120)} · ${mdText(tv.trace.phase, 20)}${tv.entry.params.live ? ', live' : ''}`;
}

function containerMarkdown(tv: TraceView, name: string, init: boolean): string {
  const t = containerTimings(tv.trace, name, init);
  const out: string[] = [header(tv, `${init ? 'init container' : 'container'} ${mdText(name, 80)}`), ''];
  const img = t.image;
  if (img) {
    const label =
      img.kind === 'image-present'
        ? 'present'
        : img.kind === 'image-pull-failed' || img.status === 'failed'
          ? 'pull failed'
          : 'pull';
    out.push(`- image ${label}${img.count > 1 ? ` ×${img.count}` : ''}: ${timing(img)}`);
  }
  const first = t.attempts[0];
  if (first?.created) out.push(`- create: ${timing(first.created)}`);
  if (first?.started) out.push(`- start: ${timing(first.started)}`);
  if (t.restarts > 0) {
    out.push(`- restarts: ${t.restarts}`);
    const later = t.attempts.filter((a) => a.attempt > 0);
    for (const a of later.slice(-MAX_RESTARTS_SHOWN)) {
      const ms = startupMs(a);
      const src = a.started ?? a.created;
      out.push(
        `  - restart ${a.attempt}: ${ms === null ? 'not started' : `started in ${formatDuration(ms)}`}${src ? ` · ${mdText(`${src.source}, ${src.precision}`, 40)}` : ''}`,
      );
    }
    if (later.length > MAX_RESTARTS_SHOWN) out.push(`  - … ${later.length - MAX_RESTARTS_SHOWN} earlier`);
  }
  if (t.failure)
    out.push(
      `- failed (${mdText(t.failure.kind, 40)}${t.failure.attempt > 0 ? `, restart ${t.failure.attempt}` : ''}): ${mdText(t.failure.message || t.failure.kind)}`,
    );
  if (t.backOff) out.push(`- back-off ×${t.backOff.count}: ${mdText(t.backOff.message)}`);
  if (out.length === 2) out.push('No steps for this container yet.');
  return out.join('\n');
}

function causeMarkdown(tv: TraceView, d: Diagnosis, note: string | null): string {
  const word = tv.trace.phase === 'pending' ? 'Pending' : tv.trace.phase === 'failed' ? 'Failed' : 'Cause';
  const out = [
    header(tv, `${word}: ${mdText(causeText(d.cause), 60)}${d.nodes !== null ? ` (${d.nodes} node(s))` : ''}`),
    '',
    mdText(d.message, 400),
    '',
    `→ ${mdText(d.suggestion, 500)}`,
  ];
  if (d.fit)
    out.push(
      '',
      `Node ${mdText(d.fit.node, 120)} has ${mdText(d.fit.free, 40)} of ${mdText(d.fit.resource, 10)} free (of ${mdText(d.fit.allocatable, 40)} allocatable); the pod asks for ${mdText(d.fit.requested, 40)}.`,
    );
  if (d.evidence) out.push('', `Evidence: ${mdText(d.evidence, 400)}`);
  if (note) out.push('', mdText(note, 300));
  return out.join('\n');
}

function hover(value: string, range: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: toLspRange(range) };
}

export function traceHover(tvs: readonly TraceView[], view: DocView, line: number, character: number): Hover | null {
  const doc = documentAt(view.manifest, line);
  if (!doc) return null;
  const here = tvs.filter((tv) => tv.doc === doc);
  if (here.length === 0) return null;

  // A container's item, `name:` or `image:` line.
  for (const tv of here) {
    for (const c of tv.containers) {
      const cp = tv.containerPath(c.name, c.init);
      if (cp === null) continue;
      for (const sub of ['image', 'name', '']) {
        const r = locatePodPath(doc, sub ? `${cp}.${sub}` : cp);
        if (!r || !r.found) continue;
        const range = fieldRange(view, r);
        if (range.start.line === line) return hover(containerMarkdown(tv, c.name, c.init), range);
      }
    }
  }

  // A field a cause is about.
  const at = pathAt(doc, line, character);
  const base = doc.podTemplatePath === null ? null : parsePath(doc.podTemplatePath);
  if (!at || !base || base.some((s, i) => at.segments[i] !== s)) return null;
  const root = fieldRoot(at.segments.slice(base.length));
  if (root === null) return null;
  const parts: string[] = [];
  for (const tv of here) {
    for (const d of tv.trace.diagnosis) {
      if (d.yamlPath === null) continue;
      const loc = tv.locate(d.yamlPath, d.container);
      const segs = loc ? parsePath(loc.path) : null;
      if (loc && segs && fieldRoot(segs) === root) parts.push(causeMarkdown(tv, d, loc.note));
    }
  }
  return parts.length > 0 ? hover(parts.join('\n\n---\n\n'), at.range) : null;
}
