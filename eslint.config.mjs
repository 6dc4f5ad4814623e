// Lint = correctness rules + the boundary rules that let one core serve the CLI, the LSP and the webview:
//   src/core     imports no vscode, no node:* / Node built-ins, no network, no DOM-only code
//   src/server   never imports src/cluster (the host owns the cluster connection)
//   webview      imports only core and protocol
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'tls',
  'dns',
  'child_process',
  'crypto',
  'stream',
  'url',
  'util',
  'zlib',
  'events',
  'worker_threads',
  'readline',
  'process',
  'buffer',
];
const builtinPatterns = NODE_BUILTINS.flatMap((m) => [m, `${m}/*`]);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'test/fixtures/**',
      'test/artifacts/**',
      'bench/results/**',
      'coverage/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is editor-independent: no vscode.' }],
          patterns: [
            { group: ['node:*'], message: 'src/core is pure: no Node built-ins.' },
            { group: builtinPatterns, message: 'src/core is pure: no Node built-ins.' },
            {
              group: ['@kubernetes/*', 'undici', 'node-fetch', 'ws'],
              message: 'src/core does no network: that is src/cluster.',
            },
            {
              group: ['**/cluster/**', '**/extension/**', '**/server/**', '**/cli/**'],
              message: 'src/core must not depend on outer layers.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'src/core does no network.' },
        { name: 'process', message: 'src/core is pure: no process.' },
        { name: 'document', message: 'src/core has no DOM.' },
        { name: 'window', message: 'src/core has no DOM.' },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The language server runs outside VS Code.' }],
          patterns: [
            {
              group: ['**/cluster/**', '@kubernetes/*'],
              message: 'The server never talks to the cluster: the host pushes trace state to it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Webviews cannot import vscode.' }],
          patterns: [
            {
              group: ['node:*', '**/cluster/**', '**/extension/**', '**/server/**', '@kubernetes/*'],
              message: 'The webview imports only core and protocol.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cluster/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] },
      ],
    },
  },
);
