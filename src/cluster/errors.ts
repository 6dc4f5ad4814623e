// Every failure a user meets when talking to a cluster, as one typed error with a message that says
// what happened and what to do. Messages never contain credentials: only context, server URL and the
// denied verb/resource.

import { errorText, isRecord } from '../core/guards.js';

export type ClusterErrorKind =
  | 'no-kubeconfig'
  | 'bad-kubeconfig'
  | 'unknown-context'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'gone'
  | 'timeout'
  | 'server';

export interface FieldCause {
  readonly field: string;
  readonly reason: string;
  readonly message: string;
}

export class ClusterError extends Error {
  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly causes: readonly FieldCause[] = [],
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}

/**
 * A plain failure of the request itself, shown as is (no such pod name in the document, a workload
 * without a selector): the CLI treats it as bad input.
 */
export class RunError extends Error {}

/** A Kubernetes `Status` body, as far as we read it. */
export interface StatusBody {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly kind?: string;
    readonly group?: string;
    readonly causes?: readonly { field?: string; reason?: string; message?: string }[];
  };
}

export function parseStatus(body: string): StatusBody | null {
  try {
    const s = JSON.parse(body) as unknown;
    return isRecord(s) && s.kind === 'Status' ? (s as StatusBody) : null;
  } catch {
    return null;
  }
}

export interface RequestDescription {
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string | null;
  readonly context: string;
  readonly server: string;
}

/** Maps an HTTP error response to a ClusterError with a user-facing message. */
export function errorFromResponse(status: number, body: string, req: RequestDescription): ClusterError {
  const st = parseStatus(body);
  const serverMsg = st?.message ? `: ${st.message}` : '';
  const where = req.namespace ? ` in namespace "${req.namespace}"` : '';
  const causes: FieldCause[] = (st?.details?.causes ?? []).map((c) => ({
    field: c.field ?? '',
    reason: c.reason ?? '',
    message: c.message ?? '',
  }));
  switch (status) {
    case 401:
      return new ClusterError(
        'unauthorized',
        `The cluster at ${req.server} (context "${req.context}") did not accept your credentials (401). They may have expired: log in again (e.g. refresh your cloud CLI login or exec plugin) and retry.`,
        status,
      );
    case 403:
      return new ClusterError(
        'forbidden',
        `Forbidden: context "${req.context}" may not ${req.verb} ${req.resource}${where}${serverMsg}. Ask a cluster admin for a Role granting "${req.verb}" on "${req.resource}", or use a context that has it.`,
        status,
      );
    case 404:
      return new ClusterError('not-found', `Not found: ${req.resource}${where}${serverMsg}.`, status);
    case 409:
      return new ClusterError('conflict', `Conflict on ${req.resource}${where}${serverMsg}.`, status);
    case 410:
      return new ClusterError(
        'gone',
        `The watch of ${req.resource} is too old to resume (410 Gone); relisting.`,
        status,
      );
    case 422:
    case 400:
      return new ClusterError('invalid', `The cluster rejected the ${req.resource}${serverMsg}.`, status, causes);
    default:
      return new ClusterError(
        'server',
        `The apiserver answered ${status} to ${req.verb} ${req.resource}${where}${serverMsg}.`,
        status,
        causes,
      );
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Plain connection failures: never a certificate problem, whatever the message says. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Maps a socket-level error (no HTTP response) to a ClusterError. */
export function errorFromNetwork(err: unknown, req: { context: string; server: string }): ClusterError {
  const code = (err as { code?: string } | null)?.code ?? '';
  const msg = errorText(err);
  // A connection dropped during the handshake ("Client network socket disconnected before secure TLS
  // connection was established", code ECONNRESET) is a network failure, not a TLS one: it used to
  // tell the user to check the certificate-authority of their kubeconfig.
  if (TLS_CODES.has(code) || (!NETWORK_CODES.has(code) && /certificate|SSL|TLS/i.test(msg))) {
    return new ClusterError(
      'tls',
      `TLS failed talking to ${req.server} (context "${req.context}"): ${code || msg}. Check the cluster's certificate-authority in your kubeconfig (insecure-skip-tls-verify only for throwaway clusters).`,
    );
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || /timed? ?out/i.test(msg)) {
    return new ClusterError(
      'timeout',
      `Timed out reaching ${req.server} (context "${req.context}"). Is the cluster up and reachable from here (VPN, proxy)?`,
    );
  }
  return new ClusterError(
    'unreachable',
    `Cannot reach the apiserver at ${req.server} (context "${req.context}"): ${code || msg}. Is the cluster running and is this the right context?`,
  );
}
