// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noCore = { group: ['../core/*', '../../core/*', '../testing/*', '../../testing/*'], message: 'exporters and providers may import core types only through events/ and wire/.' };
const nodeBuiltins = { group: ['node:*'], message: 'The core runs on web platform APIs only: move Node-only code behind its own subpath.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // CI scripts run as plain Node (and Bun/Deno) scripts.
    files: ['.ci/**/*.{js,mjs,cjs}', 'bench/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', Deno: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', AbortController: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Web-only parts: no Node built-ins.
    files: ['src/core/**', 'src/config/**', 'src/events/**', 'src/index.ts', 'src/plugins/**', 'src/stores/types.ts', 'src/stores/limits-types.ts', 'src/stores/index.ts', 'src/stores/memory/**', 'src/intercept/**', 'src/providers/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins] }] },
  },
  {
    // wire/ is pure and imports nothing of ours outside itself.
    files: ['src/wire/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [nodeBuiltins, { group: ['../../*', '../core/*', '../config/*', '../events/*', '../providers/*', '../exporters/*', '../testing/*'], message: 'wire/ imports nothing of ours.' }] }],
    },
  },
  {
    // Imports point down the table in DESIGN.md: exporters and providers never reach into core internals.
    files: ['src/exporters/*.ts', 'src/providers/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, noCore] }] },
  },
  {
    files: ['src/exporters/node/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCore] }] },
  },
);
