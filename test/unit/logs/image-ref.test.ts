import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeImageRef, sameImage } from '../../../src/core/logs/index.js';

describe('normalizeImageRef', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['docker.io/library/busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['docker.io/busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['index.docker.io/library/busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
    ['nginx@sha256:32e76d4f34f8', 'docker.io/library/nginx@sha256:32e76d4f34f8'],
    ['nginx:1.27@sha256:32e76d4f34f8', 'docker.io/library/nginx:1.27@sha256:32e76d4f34f8'],
    ['  quay.io/acme/app:1.2  ', 'quay.io/acme/app:1.2'],
    ['', ''],
    ['not a ref', 'not a ref'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeImageRef(input)).toBe(expected);
  });

  it('treats equivalent spellings as the same image', () => {
    expect(sameImage('busybox:1.36', 'docker.io/library/busybox:1.36')).toBe(true);
    expect(sameImage('nginx', 'docker.io/library/nginx:latest')).toBe(true);
    expect(sameImage('nginx:1.26', 'nginx:1.27')).toBe(false);
  });

  it('is idempotent and total', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const once = normalizeImageRef(s);
        expect(normalizeImageRef(once)).toBe(once);
      }),
    );
  });
});
