// `pod-birth explain`: a trace from saved evidence (kubectl JSON and node log text), offline.

import type { Pod } from '../core/k8s-types.js';
import { isRecord } from '../core/guards.js';
import { parseLogText } from '../core/logs/index.js';
import { parseManifest, findPodDocument, noPodDocumentReason } from '../core/manifest/index.js';
import { renderMermaid } from '../core/mermaid/index.js';
import { mappingOf, stringifyContract, toContract, type ManifestMapping } from '../core/report/contract.js';
import { renderText } from '../core/report/text.js';
import { parseInstant } from '../core/time.js';
import { TraceState, buildTrace, readTraceFile, type Evidence } from '../core/trace/index.js';
import { InputError, readJsonFile, readTextFile } from './files.js';
import { one, parseArgs, UsageError } from './args.js';

export const EXPLAIN_USAGE = `usage: pod-birth explain --pod POD.json --events EVENTS.json [--node-log FILE]... [--manifest FILE.yaml] [--format json|text|mermaid]`;

export type Format = 'json' | 'text' | 'mermaid';

export function parseFormat(v: string | undefined): Format {
  if (v === undefined) return 'text';
  if (v === 'json' || v === 'text' || v === 'mermaid') return v;
  throw new UsageError(`--format must be json, text or mermaid (got "${v}")`);
}

export function validatePod(raw: unknown, file: string): Pod {
  if (!isRecord(raw))
    throw new InputError(file, 'is not a JSON object (expected the output of `kubectl get pod NAME -o json`)');
  if (raw.kind === 'List' || raw.kind === 'PodList')
    throw new InputError(file, `is a ${String(raw.kind)}; pass a single pod (\`kubectl get pod NAME -o json\`)`);
  if (raw.kind !== 'Pod')
    throw new InputError(file, `is not a Pod (kind: ${typeof raw.kind === 'string' ? raw.kind : 'missing'})`);
  if (!isRecord(raw.metadata)) throw new InputError(file, 'has no metadata');
  return raw as Pod;
}

export function validateEvents(raw: unknown, file: string): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (isRecord(raw) && Array.isArray(raw.items)) {
    if (raw.kind !== undefined && raw.kind !== 'List' && raw.kind !== 'EventList')
      throw new InputError(
        file,
        `is a ${String(raw.kind)}, not an event list (expected \`kubectl get events -o json\`)`,
      );
    return raw.items;
  }
  if (isRecord(raw) && raw.kind === 'Event') return [raw];
  throw new InputError(file, 'is not an event list (expected the output of `kubectl get events -o json`)');
}

/** A trace file from `pod-birth record`: its evidence, checked for shape. */
export function validateTraceFile(raw: unknown, file: string): Evidence[] {
  const r = readTraceFile(raw);
  if (typeof r === 'string') throw new InputError(file, r);
  return r;
}

export interface ExplainResult {
  readonly stdout: string;
}

export function runExplain(argv: readonly string[]): ExplainResult {
  const args = parseArgs(argv, ['pod', 'events', 'node-log', 'manifest', 'format', 'trace'], []);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const podFile = one(args, 'pod');
  const traceFile = one(args, 'trace');
  if (!podFile && !traceFile) throw new UsageError('--pod (or --trace) is required');
  if (podFile && traceFile) throw new UsageError('give --pod/--events or --trace, not both');
  const eventsFile = one(args, 'events');
  const format = parseFormat(one(args, 'format'));
  const manifestFile = one(args, 'manifest');

  const evidence: Evidence[] = [];
  let pod: Pod;
  if (traceFile) {
    evidence.push(...validateTraceFile(readJsonFile(traceFile), traceFile));
    const pods = evidence.flatMap((e) => (e.type === 'pod' ? [e.object] : []));
    const last = pods[pods.length - 1];
    if (!last) throw new InputError(traceFile, 'holds no pod object');
    pod = last;
  } else {
    pod = validatePod(readJsonFile(podFile as string), podFile as string);
    evidence.push({ type: 'pod', object: pod });
  }
  if (eventsFile)
    for (const e of validateEvents(readJsonFile(eventsFile), eventsFile)) evidence.push({ type: 'event', object: e });

  const created = parseInstant(pod.metadata?.creationTimestamp);
  const referenceYear = created ? Number(created.key.slice(0, 4)) : undefined;
  for (const f of args.values.get('node-log') ?? []) {
    const parsed = parseLogText(readTextFile(f), referenceYear !== undefined ? { referenceYear } : {});
    for (const record of parsed.records) evidence.push({ type: 'log', record });
  }

  const state = new TraceState();
  state.addAll(evidence);
  const trace = buildTrace(state);

  let mapping: ManifestMapping | null = null;
  if (manifestFile) {
    const manifest = parseManifest(readTextFile(manifestFile));
    const bad = manifest.documents.find((d) => d.errors.length > 0);
    if (bad) {
      const e = bad.errors[0];
      throw new InputError(
        manifestFile,
        `has YAML errors: line ${e ? e.line : '?'}: ${e ? e.message : 'unknown error'}`,
      );
    }
    const doc = findPodDocument(manifest, pod);
    if (!doc) throw new InputError(manifestFile, noPodDocumentReason(manifest, pod));
    mapping = mappingOf(doc);
  }

  if (format === 'json') return { stdout: stringifyContract(toContract(trace, mapping)) + '\n' };
  if (format === 'mermaid') return { stdout: renderMermaid(trace).source + '\n' };
  return { stdout: renderText(trace, mapping?.lineOf ?? null) };
}
