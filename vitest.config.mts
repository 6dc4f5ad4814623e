import { defineConfig } from 'vitest/config';

// The 100-replica rollout (test/cluster/rollout.test.ts) is part of the cluster project, so `npm
// test` runs it; `npm run test:rollout` runs it alone (test/cluster/README.md says what it found).

// Projects: `unit` (pure core + LSP, fast), `webview` (the built diagram in real Chromium under the
// production CSP), `cluster` (needs the real local cluster from `npm run cluster:up`). The e2e suite
// (real VS Code) has its own config: test/e2e/vitest.e2e.config.mts; so has the real-cluster
// reliability suite (test/reliability/cluster/vitest.config.mts), which kills cluster daemons.
export default defineConfig({
  test: {
    // One test file at a time: the machine (and CI) has 2 cores, and Chromium rendering next to
    // cluster tests starved the webview tests into timeouts.
    maxWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/lsp/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'webview',
          include: ['test/webview/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Hostile and malformed input (fast-check, a corpus). The real-cluster half of the
          // reliability suite kills daemons and has its own config: test/reliability/cluster/.
          name: 'reliability',
          include: ['test/reliability/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
    ],
  },
});
