// Vitest config for the fresh-machine check of `npm run demo` (test/fresh/check.sh runs it; it brings
// the cluster up and down itself, so it never runs next to other suites).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'fresh',
    include: ['test/fresh/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    sequence: { concurrent: false },
    silent: false,
  },
});
