import { defineConfig } from 'vitest/config';

// Projects: `unit` (pure core, fast), `cluster` (needs the real local cluster from `npm run cluster:up`).
export default defineConfig({
  test: {
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
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
