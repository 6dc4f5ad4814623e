// The harness itself: narrow-RBAC kubeconfigs really are narrow, and the ground-truth reader agrees
// between the journal and the plain file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterEnv,
  combinationOf,
  createNamespace,
  deleteNamespace,
  kubectl,
  kubectlResult,
  mintKubeconfig,
  nodeLogQueryPath,
  normalizeImageRef,
  runtimeService,
  type MintedKubeconfig,
} from './harness.js';

let ns: string;
const minted: MintedKubeconfig[] = [];

beforeAll(async () => {
  clusterEnv();
  ns = await createNamespace('pb-harness');
});

afterAll(async () => {
  for (const m of minted) await m.cleanup();
  if (ns) await deleteNamespace(ns);
});

describe('mintKubeconfig', () => {
  it('grants exactly the given namespaced rules', async () => {
    const m = await mintKubeconfig('pod-reader', ns, [
      { resources: ['pods', 'events'], verbs: ['get', 'list', 'watch'] },
    ]);
    minted.push(m);
    expect(m.username).toBe(`system:serviceaccount:${ns}:pod-reader`);
    const opts = { kubeconfig: m.path };
    expect(await kubectl(['get', 'pods'], opts)).toBe(''); // its namespace is the context default
    expect((await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], opts)).trim()).toBe(
      m.username,
    );
    const other = await kubectlResult(['-n', 'default', 'get', 'pods'], { ...opts, allowFailure: true });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/Forbidden|forbidden/);
    const create = await kubectlResult(['run', 'x', '--image=busybox:1.36'], { ...opts, allowFailure: true });
    expect(create.stderr).toMatch(/forbidden/);
    const proxy = await kubectlResult(['get', '--raw', nodeLogQueryPath({ query: runtimeService(), tailLines: 1 })], {
      ...opts,
      allowFailure: true,
    });
    expect(proxy.code).not.toBe(0);
    expect(proxy.stderr).toMatch(/forbidden/i);
  });

  it('adds cluster rules, e.g. get nodes/proxy for Node Log Query', async () => {
    const m = await mintKubeconfig('log-reader', ns, [], {
      clusterRules: [
        { resources: ['nodes/proxy'], verbs: ['get'] },
        { resources: ['nodes'], verbs: ['get', 'list'] },
      ],
    });
    minted.push(m);
    const body = await kubectl(['get', '--raw', nodeLogQueryPath({ query: runtimeService(), tailLines: 2 })], {
      kubeconfig: m.path,
    });
    // Allowed through the proxy either way; a stock kubelet answers its /var/log listing instead.
    if (combinationOf().nodeLogs === 'open') expect(body.split('\n').filter(Boolean)).toHaveLength(2);
    else expect(body).toMatch(/^<!doctype html>/i);
    expect(
      (await kubectl(['auth', 'can-i', 'get', 'nodes', '--subresource=proxy'], { kubeconfig: m.path })).trim(),
    ).toBe('yes');
    expect(
      (
        await kubectlResult(['auth', 'can-i', 'list', 'pods', '-A'], { kubeconfig: m.path, allowFailure: true })
      ).stdout.trim(),
    ).toBe('no');
  });
});

describe('normalizeImageRef', () => {
  it('normalizes like containerd', () => {
    expect(normalizeImageRef('busybox')).toBe('docker.io/library/busybox:latest');
    expect(normalizeImageRef('busybox:1.36')).toBe('docker.io/library/busybox:1.36');
    expect(normalizeImageRef('foo/bar:1')).toBe('docker.io/foo/bar:1');
    expect(normalizeImageRef('registry.k8s.io/pause:3.10')).toBe('registry.k8s.io/pause:3.10');
    expect(normalizeImageRef('127.0.0.1:5000/library/busybox')).toBe('127.0.0.1:5000/library/busybox:latest');
    expect(normalizeImageRef('busybox@sha256:abc')).toBe('docker.io/library/busybox@sha256:abc');
  });
});
