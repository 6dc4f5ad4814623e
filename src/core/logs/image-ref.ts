// Docker reference normalisation (distribution/reference ParseNormalizedNamed + TagNameOnly): the pod
// spec says `busybox:1.36` while a runtime may log `docker.io/library/busybox:1.36`.

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';

/**
 * `nginx` → `docker.io/library/nginx:latest`; `busybox:1.36` → `docker.io/library/busybox:1.36`;
 * `registry.k8s.io/pause:3.10` unchanged. A digest is kept and suppresses the default tag. Text that
 * is not a reference (empty, whitespace inside) comes back trimmed and otherwise unchanged.
 */
export function normalizeImageRef(ref: string): string {
  const s0 = typeof ref === 'string' ? ref.trim() : '';
  if (s0 === '' || /\s/.test(s0)) return s0;
  let s = s0;
  let digest = '';
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at);
    s = s.slice(0, at);
  }
  let tag = '';
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) {
    tag = s.slice(colon);
    s = s.slice(0, colon);
  }
  if (s === '') return s0;
  let domain = DEFAULT_DOMAIN;
  let path = s;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const first = s.slice(0, slash);
    // Same rule as distribution/reference: a first component is a registry if it looks like a host.
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = s.slice(slash + 1);
    }
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (tag === '' && digest === '') tag = ':latest';
  return `${domain}/${path}${tag}${digest}`;
}

/** Whether two references name the same image after normalisation. */
export function sameImage(a: string, b: string): boolean {
  return normalizeImageRef(a) === normalizeImageRef(b);
}
