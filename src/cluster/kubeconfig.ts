// Loading kubeconfig the way kubectl does.
//
// kubectl merges the files in KUBECONFIG with "first wins" for every named cluster, user and context
// and takes current-context from the first file that sets it. client-node's loadFromDefault differs
// (a later file's current-context wins; duplicate names throw), so the merge is done here.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { errorText } from '../core/guards.js';
import { ClusterError } from './errors.js';

export interface ConnectOptions {
  /** Explicit kubeconfig path(s), like `--kubeconfig`; otherwise KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
  /** For tests: the environment to read KUBECONFIG and HOME from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Connection {
  readonly kc: KubeConfig;
  readonly context: string;
  readonly cluster: string;
  readonly server: string;
  /** The namespace to use: explicit, else the context's, else `default`. */
  readonly namespace: string;
  /** The files that were read, for messages. */
  readonly files: readonly string[];
  /** Told of every request made on this connection (a rollout counts its API cost). */
  readonly onRequest?: (method: string, url: URL) => void;
}

function candidateFiles(opts: ConnectOptions): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) return [resolve(opts.kubeconfig)];
  const kcEnv = env.KUBECONFIG;
  if (kcEnv)
    return kcEnv
      .split(delimiter)
      .filter((f) => f.length > 0)
      .map((f) => resolve(f));
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  return [join(home, '.kube', 'config')];
}

interface Named {
  name: string;
}

interface Merged {
  readonly kc: KubeConfig;
  readonly contexts: ReadonlyMap<string, Named & { namespace?: string; cluster?: string }>;
  readonly currentContext: string;
  readonly existing: readonly string[];
}

function mergedConfig(opts: ConnectOptions): Merged {
  const files = candidateFiles(opts).filter((f, i, all) => all.indexOf(f) === i);
  const existing = files.filter((f) => existsSync(f));
  if (existing.length === 0) {
    throw new ClusterError(
      'no-kubeconfig',
      `No kubeconfig found (looked at ${files.join(', ')}). Point KUBECONFIG or the podBirth.kubeconfig setting at one, or create ~/.kube/config (e.g. with your cloud CLI or \`kind\`).`,
    );
  }
  const clusters = new Map<string, Named>();
  const users = new Map<string, Named>();
  const contexts = new Map<string, Named & { namespace?: string; cluster?: string }>();
  let currentContext = '';
  for (const file of existing) {
    const one = new KubeConfig();
    try {
      one.loadFromString(readFileSync(file, 'utf8'));
      one.makePathsAbsolute(dirname(file));
    } catch (e) {
      throw new ClusterError(
        'bad-kubeconfig',
        `The kubeconfig ${file} cannot be read: ${errorText(e).split('\n')[0]}. Fix the file (check it with \`kubectl config view\`).`,
      );
    }
    for (const c of one.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  });
  return { kc, contexts, currentContext, existing };
}

/** The contexts of the merged kubeconfig (names only: nothing secret), current first. */
export function listContexts(opts: ConnectOptions = {}): {
  readonly current: string;
  readonly names: readonly string[];
} {
  const m = mergedConfig(opts);
  const names = [...m.contexts.keys()].sort((a, b) =>
    a === m.currentContext ? -1 : b === m.currentContext ? 1 : a.localeCompare(b),
  );
  return { current: m.currentContext, names };
}

export function loadConnection(opts: ConnectOptions = {}): Connection {
  const { kc, contexts, currentContext, existing } = mergedConfig(opts);
  const contextName = opts.context || currentContext;
  if (!contextName) {
    throw new ClusterError(
      'unknown-context',
      `The kubeconfig (${existing.join(', ')}) has no current-context. Pick one with \`kubectl config use-context NAME\` or the podBirth.context setting.`,
    );
  }
  const ctx = contexts.get(contextName);
  if (!ctx) {
    const known = [...contexts.keys()];
    throw new ClusterError(
      'unknown-context',
      `Context "${contextName}" is not in the kubeconfig. Known contexts: ${known.length ? known.join(', ') : 'none'}.`,
    );
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new ClusterError(
      'bad-kubeconfig',
      `Context "${contextName}" names cluster "${ctx.cluster ?? ''}", which the kubeconfig does not define.`,
    );
  if (!kc.getCurrentUser())
    throw new ClusterError('bad-kubeconfig', `Context "${contextName}" names a user the kubeconfig does not define.`);
  return {
    kc,
    context: contextName,
    cluster: cluster.name,
    server: cluster.server,
    namespace: opts.namespace || ctx.namespace || 'default',
    files: existing,
  };
}
