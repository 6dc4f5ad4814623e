// CRI-O server messages (server/sandbox_run_linux.go, image_pull.go, container_create.go,
// container_start.go, container_stop.go, container_remove.go, sandbox_stop*.go, sandbox_remove.go).
// Pods are named by "description" `<ns>/<pod>/<container>` (`POD` for the infra container); CRI-O
// never prints the pod UID in these lines, only in `Got pod network`.

import type { CriRpc } from '../model.js';
import type { CriDraft, RuntimeItem } from './records.js';

interface Description {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

function description(text: string): Description | null {
  const parts = text.trim().split('/');
  if (parts.length !== 3) return null;
  const [namespace = '', pod = '', container = ''] = parts;
  if (!namespace || !pod || !container) return null;
  return { namespace, pod, container };
}

/** A bare id token: what CRI-O prints for sandbox and container ids. */
function idToken(text: string): string | null {
  const t = text.trim();
  return /^[^\s:/]+$/.test(t) ? t : null;
}

function withRequest(draft: CriDraft, fields: ReadonlyMap<string, string>): RuntimeItem {
  const requestId = fields.get('id');
  return { kind: 'cri', draft: requestId ? { ...draft, requestId } : draft };
}

/** `Created container <id>: <desc>` style: an id, a colon, a description. */
function idAndDescription(rest: string): { id: string; desc: Description | null } | null {
  const colon = rest.indexOf(': ');
  const id = idToken(colon >= 0 ? rest.slice(0, colon) : rest);
  if (!id) return null;
  return { id, desc: colon >= 0 ? description(rest.slice(colon + 2)) : null };
}

/** CRI-O logs no attempt: 0 here, numbered per pod by the trace (numberCrioAttempts in trace/pod-records.ts). */
function containerPart(desc: Description | null): Pick<CriDraft, 'sandbox' | 'container'> {
  if (!desc) return {};
  return { sandbox: { namespace: desc.namespace, name: desc.pod }, container: { name: desc.container, attempt: 0 } };
}

// Each value must be followed by a blank or `}`: on a line cut short, `UID:0` is a fragment of the UID,
// and taking it as the sandbox's UID made the pod's own sandbox look like another pod's (its UID
// conflicted), so the whole pod lost its runtime lines.
const GOT_POD_NETWORK_ID_RE = /\bID:([^\s}]+)[\s}]/;
const GOT_POD_NETWORK_UID_RE = /\bUID:([^\s}]+)[\s}]/;

function simpleId(
  rpc: CriRpc,
  phase: CriDraft['phase'],
  text: string,
  fields: ReadonlyMap<string, string>,
): RuntimeItem | null {
  const id = idToken(text);
  if (!id) return null;
  const sandboxRpc = rpc === 'StopPodSandbox' || rpc === 'RemovePodSandbox';
  return withRequest({ rpc, phase, ...(sandboxRpc ? { sandboxId: id } : { containerId: id }) }, fields);
}

/** Parses one CRI-O message (already unquoted from the logrus line). */
export function parseCrioMessage(msg: string, fields: ReadonlyMap<string, string>): RuntimeItem | null {
  if (msg.startsWith('Running pod sandbox: ')) {
    const d = description(msg.slice('Running pod sandbox: '.length));
    if (!d) return null;
    return withRequest(
      { rpc: 'RunPodSandbox', phase: 'start', sandbox: { namespace: d.namespace, name: d.pod } },
      fields,
    );
  }
  if (msg.startsWith('Ran pod sandbox ')) {
    const rest = msg.slice('Ran pod sandbox '.length);
    const sep = rest.indexOf(' with infra container: ');
    if (sep < 0) return null;
    const id = idToken(rest.slice(0, sep));
    const d = description(rest.slice(sep + ' with infra container: '.length));
    if (!id) return null;
    return withRequest(
      {
        rpc: 'RunPodSandbox',
        phase: 'end',
        sandboxId: id,
        ...(d ? { sandbox: { namespace: d.namespace, name: d.pod } } : {}),
      },
      fields,
    );
  }
  if (msg.startsWith('Pulling image: ')) {
    const image = msg.slice('Pulling image: '.length).trim();
    return image ? withRequest({ rpc: 'PullImage', phase: 'start', image }, fields) : null;
  }
  if (msg.startsWith('Pulled image: ')) {
    const imageRef = msg.slice('Pulled image: '.length).trim();
    return imageRef ? withRequest({ rpc: 'PullImage', phase: 'end', imageRef }, fields) : null;
  }
  if (msg.startsWith('Creating container: ')) {
    const d = description(msg.slice('Creating container: '.length));
    return d ? withRequest({ rpc: 'CreateContainer', phase: 'start', ...containerPart(d) }, fields) : null;
  }
  if (msg.startsWith('Created container ')) {
    const r = idAndDescription(msg.slice('Created container '.length));
    return r
      ? withRequest({ rpc: 'CreateContainer', phase: 'end', containerId: r.id, ...containerPart(r.desc) }, fields)
      : null;
  }
  if (msg.startsWith('Starting container: '))
    return simpleId('StartContainer', 'start', msg.slice('Starting container: '.length), fields);
  if (msg === 'Started container' || msg.startsWith('Started container:') || msg.startsWith('Started container ')) {
    // Since ~1.20 the details are structured fields; older releases put the description in the text.
    const containerId = fields.get('containerID');
    const sandboxId = fields.get('sandboxID');
    const desc = description(fields.get('description') ?? msg.replace(/^Started container:?\s*(?:\S+: )?/, ''));
    return withRequest(
      {
        rpc: 'StartContainer',
        phase: 'end',
        ...(containerId ? { containerId } : {}),
        ...(sandboxId ? { sandboxId } : {}),
        ...containerPart(desc),
      },
      fields,
    );
  }
  if (msg.startsWith('Stopping container: ')) {
    return simpleId(
      'StopContainer',
      'start',
      msg.slice('Stopping container: '.length).replace(/ \(timeout: [^)]*\)$/, ''),
      fields,
    );
  }
  if (msg.startsWith('Stopped container ')) {
    const r = idAndDescription(msg.slice('Stopped container '.length));
    return r
      ? withRequest({ rpc: 'StopContainer', phase: 'end', containerId: r.id, ...containerPart(r.desc) }, fields)
      : null;
  }
  if (msg.startsWith('Removing container: '))
    return simpleId('RemoveContainer', 'start', msg.slice('Removing container: '.length), fields);
  if (msg.startsWith('Removed container ')) {
    const r = idAndDescription(msg.slice('Removed container '.length));
    return r
      ? withRequest({ rpc: 'RemoveContainer', phase: 'end', containerId: r.id, ...containerPart(r.desc) }, fields)
      : null;
  }
  if (msg.startsWith('Stopping pod sandbox: '))
    return simpleId('StopPodSandbox', 'start', msg.slice('Stopping pod sandbox: '.length), fields);
  const stopped = /^Stopped pod sandbox(?: \(already stopped\))?: (.*)$/.exec(msg);
  if (stopped) return simpleId('StopPodSandbox', 'end', stopped[1] ?? '', fields);
  if (msg.startsWith('Removing pod sandbox: '))
    return simpleId('RemovePodSandbox', 'start', msg.slice('Removing pod sandbox: '.length), fields);
  const removed = /^[Rr]emoved pod sandbox: (.*)$/.exec(msg);
  if (removed) return simpleId('RemovePodSandbox', 'end', removed[1] ?? '', fields);
  if (msg.startsWith('Got pod network &{')) {
    const sandboxId = GOT_POD_NETWORK_ID_RE.exec(msg)?.[1];
    const uid = GOT_POD_NETWORK_UID_RE.exec(msg)?.[1];
    if (sandboxId && uid) return { kind: 'sandbox-hint', hint: { sandboxId, uid } };
  }
  return null;
}

/** Whether logrus fields mark the line as CRI-O's (its gRPC interceptor adds `name=/runtime.v1…`). */
export function hasCrioFields(fields: ReadonlyMap<string, string>): boolean {
  const name = fields.get('name');
  return name !== undefined && /^\/runtime\.v1(?:alpha2)?\./.test(name);
}
