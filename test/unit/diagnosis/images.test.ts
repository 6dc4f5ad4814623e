// Image causes on the kubelet's and containerd's real wording: each case its own cause, message,
// suggestion and field.

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/core/diagnosis/index.js';
import { registryOf } from '../../../src/core/diagnosis/images.js';
import type { Pod } from '../../../src/core/k8s-types.js';
import { normalizeEvent } from '../../../src/core/trace/events.js';

function waitingPod(image: string, reason: string, message: string, pullPolicy?: string): Pod {
  return {
    metadata: { name: 'img', namespace: 'default', uid: 'u-img' },
    spec: {
      nodeName: 'pod-birth-node',
      containers: [{ name: 'app', image, ...(pullPolicy ? { imagePullPolicy: pullPolicy } : {}) }],
    },
    status: {
      phase: 'Pending',
      containerStatuses: [{ name: 'app', image, ready: false, state: { waiting: { reason, message } } }],
    },
  };
}

function failedEvent(message: string) {
  return normalizeEvent({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { uid: `ev-${message.length}`, namespace: 'default', name: 'img.1' },
    involvedObject: { kind: 'Pod', name: 'img', namespace: 'default', uid: 'u-img', fieldPath: 'spec.containers{app}' },
    reason: 'Failed',
    message,
    type: 'Warning',
    firstTimestamp: '2026-12-06T18:00:01Z',
    lastTimestamp: '2026-12-06T18:00:01Z',
    count: 1,
  })!;
}

describe('image causes', () => {
  it('imagePullPolicy: Never with the image missing on the node → image-never-pull at imagePullPolicy', () => {
    const p = waitingPod(
      'registry.local/app:dev',
      'ErrImageNeverPull',
      'Container image "registry.local/app:dev" is not present with pull policy of Never',
      'Never',
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'image-never-pull', yamlPath: 'spec.containers[0].imagePullPolicy' });
    expect(d?.message).toContain('pod-birth-node');
    expect(d?.suggestion).toMatch(/kind load docker-image registry\.local\/app:dev/);
    expect(d?.suggestion).toMatch(/IfNotPresent/);
  });

  it('InvalidImageName → invalid-image-name at image, no pull advice', () => {
    const p = waitingPod(
      'Busybox:1.36',
      'InvalidImageName',
      'Failed to apply default image tag "Busybox:1.36": couldn\'t parse image name "Busybox:1.36": invalid reference format: repository name must be lowercase',
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'invalid-image-name', yamlPath: 'spec.containers[0].image' });
    expect(d?.suggestion).toMatch(/lowercase repository/);
    expect(d?.suggestion).not.toMatch(/imagePullSecrets/);
  });

  it('a registry that does not answer → registry-unreachable, naming the host', () => {
    const p = waitingPod(
      'registry.invalid/app:1',
      'ErrImagePull',
      'rpc error: code = Unknown desc = failed to pull and unpack image "registry.invalid/app:1": failed to resolve reference "registry.invalid/app:1": failed to do request: Head "https://registry.invalid/v2/app/manifests/1": dial tcp: lookup registry.invalid on 10.96.0.10:53: no such host',
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'registry-unreachable', yamlPath: 'spec.containers[0].image' });
    expect(d?.message).toContain('registry.invalid');
    expect(d?.message).toContain('no such host');
  });

  it('ImagePullBackOff whose waiting message has no detail reads the Failed event (connection refused)', () => {
    const p = waitingPod('10.0.0.5:5000/app:1', 'ImagePullBackOff', 'Back-off pulling image "10.0.0.5:5000/app:1"');
    const e = failedEvent(
      'Failed to pull image "10.0.0.5:5000/app:1": failed to do request: Head "https://10.0.0.5:5000/v2/app/manifests/1": dial tcp 10.0.0.5:5000: connect: connection refused',
    );
    const [d] = diagnose(p, [e]);
    expect(d).toMatchObject({ cause: 'registry-unreachable' });
    expect(d?.message).toContain('10.0.0.5');
  });

  it('a digest that contains 403 does not make a DNS failure an authorisation problem', () => {
    const image = 'registry.example.com/app@sha256:40300a1f5c2d7e4b9a8c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a';
    const p = waitingPod(
      image,
      'ErrImagePull',
      `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://registry.example.com/v2/app/manifests/sha256:40300a1f": dial tcp: lookup registry.example.com: no such host`,
    );
    const [d] = diagnose(p, []);
    expect(d?.cause).toBe('registry-unreachable');
    expect(d?.suggestion).not.toMatch(/imagePullSecrets/);
    // A digest with 401/403 in it and a plain not-found stays not-found.
    const nf = waitingPod(
      'ghcr.io/acme/app@sha256:401403aa',
      'ErrImagePull',
      'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/app@sha256:401403aa": not found',
    );
    expect(diagnose(nf, [])[0]?.suggestion).toMatch(/does not exist/);
  });

  it('a real 401 from the registry asks for imagePullSecrets', () => {
    const p = waitingPod(
      'ghcr.io/acme/private:1',
      'ErrImagePull',
      'rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/acme/private:1": failed to resolve reference "ghcr.io/acme/private:1": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fprivate%3Apull&service=ghcr.io: 401 Unauthorized',
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'image-pull-failed', yamlPath: 'spec.containers[0].image' });
    expect(d?.suggestion).toMatch(/imagePullSecrets/);
  });

  it('registryOf reads the host part of a reference', () => {
    expect(registryOf('busybox:1.36')).toBe('docker.io');
    expect(registryOf('library/busybox')).toBe('docker.io');
    expect(registryOf('localhost/app')).toBe('localhost');
    expect(registryOf('10.0.0.5:5000/app:1')).toBe('10.0.0.5:5000');
    expect(registryOf('ghcr.io/acme/app')).toBe('ghcr.io');
  });
});
