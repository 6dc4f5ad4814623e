import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The real-cluster half of the reliability suite: faults (apiserver, containerd and kubelet restarts,
// cut watch streams, revoked credentials), least-privilege roles, secret leaks, apply confirmation.
// Needs the local cluster (`npm run cluster:up`). These tests kill cluster daemons: run them alone,
// one file at a time, and never next to other cluster tests (CI and shared machines take
// /tmp/pod-birth-cluster.lock around the run: `flock /tmp/pod-birth-cluster.lock npm run test:reliability`).
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    name: 'reliability-cluster',
    include: ['test/reliability/cluster/**/*.test.ts'],
    environment: 'node',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Numbers the tests measure are printed: keep them in the output.
    silent: false,
  },
});
