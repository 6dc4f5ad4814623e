// Vitest config for the end-to-end suite (real VS Code via code-server + Chromium).
// Run: bash test/e2e/install-code-server.sh && npm run package && npx vitest run --config test/e2e/vitest.e2e.config.mts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One code-server and one Chromium at a time: the machine has 2 cores.
    fileParallelism: false,
  },
});
