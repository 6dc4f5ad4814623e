// containerd CRI plugin messages (pkg/cri/server/instrumented_service.go in 1.6,
// pkg/cri/instrument/ in 1.7, internal/cri/instrument/ in 2.x). The strings are the same in all
// three; only the metadata rendering changed in 2.2 (see cri-metadata.ts).

import { parseGoDuration } from '../time.js';
import type { CriRpc } from '../model.js';
import { readGoQuoted } from './go-string.js';
import { parseCriMetadata } from './cri-metadata.js';
import type { CriDraft, PullDetail, RuntimeItem } from './records.js';

type Phase = CriDraft['phase'];

/** `"<id>"` at `pos`, then the rest of the message. */
function quotedAt(msg: string, pos: number): { value: string; rest: string } | null {
  const q = readGoQuoted(msg, pos);
  if (!q || !q.terminated) return null;
  return { value: q.value, rest: msg.slice(q.end) };
}

function errorOf(fields: ReadonlyMap<string, string>): { error?: string } {
  const e = fields.get('error') ?? fields.get('err');
  return e ? { error: e } : {};
}

function cri(draft: CriDraft): RuntimeItem {
  return { kind: 'cri', draft };
}

function runPodSandbox(body: string, fields: ReadonlyMap<string, string>): RuntimeItem | null {
  let phase: Phase = 'start';
  let meta = body;
  let sandboxId: string | undefined;
  const returns = body.lastIndexOf(' returns sandbox id "');
  if (returns >= 0) {
    const id = quotedAt(body, returns + ' returns sandbox id '.length);
    if (!id || id.rest !== '') return null;
    phase = 'end';
    sandboxId = id.value;
    meta = body.slice(0, returns);
  } else if (body.endsWith(' failed, error') || body.endsWith(' failed')) {
    phase = 'failed';
    meta = body.slice(0, body.lastIndexOf(' failed'));
  }
  const m = parseCriMetadata(meta);
  if (!m) return null;
  return cri({
    rpc: 'RunPodSandbox',
    phase,
    sandbox: m,
    ...(sandboxId ? { sandboxId } : {}),
    ...(phase === 'failed' ? errorOf(fields) : {}),
  });
}

function pullImage(body: string, fields: ReadonlyMap<string, string>): RuntimeItem | null {
  const img = quotedAt(body, 0);
  if (!img) return null;
  if (img.rest === '') return cri({ rpc: 'PullImage', phase: 'start', image: img.value });
  if (img.rest === ' failed') return cri({ rpc: 'PullImage', phase: 'failed', image: img.value, ...errorOf(fields) });
  if (img.rest.startsWith(' returns image reference ')) {
    const ref = quotedAt(img.rest, ' returns image reference '.length);
    if (!ref || ref.rest !== '') return null;
    return cri({ rpc: 'PullImage', phase: 'end', image: img.value, imageRef: ref.value });
  }
  return null;
}

function createContainer(body: string, fields: ReadonlyMap<string, string>): RuntimeItem | null {
  const sb = quotedAt(body, 0);
  if (!sb) return null;
  let phase: Phase;
  let meta: string;
  let containerId: string | undefined;
  if (sb.rest.startsWith(' for container ')) {
    phase = 'start';
    meta = sb.rest.slice(' for container '.length);
  } else if (sb.rest.startsWith(' for ')) {
    const rest = sb.rest.slice(' for '.length);
    const returns = rest.lastIndexOf(' returns container id "');
    if (returns >= 0) {
      const id = quotedAt(rest, returns + ' returns container id '.length);
      if (!id || id.rest !== '') return null;
      phase = 'end';
      containerId = id.value;
      meta = rest.slice(0, returns);
    } else if (rest.endsWith(' failed')) {
      phase = 'failed';
      meta = rest.slice(0, -' failed'.length);
    } else return null;
  } else return null;
  const m = parseCriMetadata(meta);
  return cri({
    rpc: 'CreateContainer',
    phase,
    sandboxId: sb.value,
    // A container's metadata always names it; attempt 0 is omitted by prototext.
    ...(m?.name !== undefined ? { container: { name: m.name, attempt: m.attempt ?? 0 } } : {}),
    ...(containerId ? { containerId } : {}),
    ...(phase === 'failed' ? errorOf(fields) : {}),
  });
}

/** `<Rpc> for "<id>"…` and `<Rpc> "<id>" returns successfully` (RemovePodSandbox in 2.x drops the `for`). */
function byId(rpc: CriRpc, body: string, fields: ReadonlyMap<string, string>): RuntimeItem | null {
  const id = quotedAt(body, 0);
  if (!id) return null;
  const rest = id.rest;
  let phase: Phase;
  if (rest === ' returns successfully') phase = 'end';
  else if (rest === ' failed') phase = 'failed';
  else if (rest === '' || /^ with timeout -?\d+ \(s\)$/.test(rest)) phase = 'start';
  else return null;
  const sandboxRpc = rpc === 'StopPodSandbox' || rpc === 'RemovePodSandbox';
  return cri({
    rpc,
    phase,
    ...(sandboxRpc ? { sandboxId: id.value } : { containerId: id.value }),
    ...(phase === 'failed' ? errorOf(fields) : {}),
  });
}

const PULLED_RE = /^ with image id "([^"]*)", repo tag "([^"]*)", repo digest "([^"]*)"(?:, size "(\d+)" in (\S+))?$/;

function pulled(body: string): RuntimeItem | null {
  const ref = quotedAt(body, 0);
  if (!ref) return null;
  const m = PULLED_RE.exec(ref.rest);
  if (!m) return null;
  const [, imageId = '', repoTag = '', repoDigest = '', size, duration] = m;
  const durationMs = duration !== undefined ? parseGoDuration(duration) : null;
  const detail: PullDetail = {
    ref: ref.value,
    imageId,
    ...(repoTag ? { repoTag } : {}),
    ...(repoDigest ? { repoDigest } : {}),
    ...(size !== undefined ? { sizeBytes: Number(size) } : {}),
    ...(durationMs !== null ? { durationMs } : {}),
  };
  return { kind: 'pulled', detail };
}

const BY_ID: ReadonlyArray<readonly [string, CriRpc]> = [
  ['StartContainer for ', 'StartContainer'],
  ['StopContainer for ', 'StopContainer'],
  ['RemoveContainer for ', 'RemoveContainer'],
  ['StopPodSandbox for ', 'StopPodSandbox'],
  ['RemovePodSandbox for ', 'RemovePodSandbox'],
  ['RemovePodSandbox ', 'RemovePodSandbox'],
];

/** Parses one containerd message (already unquoted from the logrus line). */
export function parseContainerdMessage(msg: string, fields: ReadonlyMap<string, string>): RuntimeItem | null {
  if (msg.startsWith('RunPodSandbox for ')) return runPodSandbox(msg.slice('RunPodSandbox for '.length), fields);
  if (msg.startsWith('PullImage ')) return pullImage(msg.slice('PullImage '.length), fields);
  if (msg.startsWith('CreateContainer within sandbox '))
    return createContainer(msg.slice('CreateContainer within sandbox '.length), fields);
  if (msg.startsWith('Pulled image ')) return pulled(msg.slice('Pulled image '.length));
  for (const [prefix, rpc] of BY_ID) {
    if (msg.startsWith(prefix)) return byId(rpc, msg.slice(prefix.length), fields);
  }
  return null;
}
