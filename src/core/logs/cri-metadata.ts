// containerd prints PodSandboxMetadata / ContainerMetadata with %+v, which is the message's String():
//  - cri-api ≤ v0.32 (gogo, containerd ≤ 2.1): `&PodSandboxMetadata{Name:nginx,Uid:…,Namespace:default,Attempt:0,}`
//  - cri-api ≥ v0.34 (protobuf-go prototext, containerd 2.2+): `name:"nginx" uid:"…" namespace:"default"`,
//    zero-valued fields omitted, and one or two spaces between fields (protobuf-go picks per binary).

import { readGoQuoted } from './go-string.js';

export interface CriMetadata {
  readonly name?: string;
  readonly uid?: string;
  readonly namespace?: string;
  readonly attempt?: number;
}

function build(fields: Map<string, string>): CriMetadata | null {
  const out: { name?: string; uid?: string; namespace?: string; attempt?: number } = {};
  const name = fields.get('name');
  const uid = fields.get('uid');
  const namespace = fields.get('namespace');
  const attempt = fields.get('attempt');
  if (name) out.name = name;
  if (uid) out.uid = uid;
  if (namespace) out.namespace = namespace;
  if (attempt !== undefined && /^\d+$/.test(attempt)) out.attempt = Number(attempt);
  return name === undefined && uid === undefined && namespace === undefined && out.attempt === undefined ? null : out;
}

function parseGogo(text: string): CriMetadata | null {
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (open < 0 || close < open) return null;
  const fields = new Map<string, string>();
  // Kubernetes names, namespaces and UIDs never contain commas or colons, so a plain split is exact.
  for (const part of text.slice(open + 1, close).split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    fields.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim());
  }
  return build(fields);
}

function parsePrototext(text: string): CriMetadata | null {
  const fields = new Map<string, string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text[i] === ' ') i++;
    const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 64))?.[0];
    if (!key || text[i + key.length] !== ':') return fields.size > 0 ? build(fields) : null;
    i += key.length + 1;
    while (i < n && text[i] === ' ') i++;
    if (text[i] === '"') {
      const q = readGoQuoted(text, i);
      if (!q) break;
      fields.set(key.toLowerCase(), q.value);
      i = q.end;
    } else {
      const start = i;
      while (i < n && text[i] !== ' ') i++;
      fields.set(key.toLowerCase(), text.slice(start, i));
    }
  }
  return build(fields);
}

/** Parses either rendering of sandbox or container metadata; null when it is neither. */
export function parseCriMetadata(text: string): CriMetadata | null {
  const t = text.trim();
  if (t === '' || t === '<nil>' || t === 'nil') return null;
  if (/^&?[A-Za-z]*Metadata\{/.test(t)) return parseGogo(t);
  return parsePrototext(t);
}
