import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The diagram webview in real Chromium under the production CSP (needs /usr/bin/chromium or
// PB_CHROMIUM). Run: npx vitest run -c test/webview/vitest.webview.config.mts
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'webview',
    include: ['test/webview/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
