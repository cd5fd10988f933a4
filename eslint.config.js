import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DRIVERS = ['kafkajs', '@platformatic/kafka', 'mongodb', 'ioredis', 'thrift', '@duckdb/node-api'];
const NO_DRIVERS = DRIVERS.map((name) => ({ name, message: 'Only adapter modules (shared/**/adapters/) import drivers: take a small interface instead.' }));
const DEV_ONLY = ['**/dev/**', '**/scripts/**', '**/bench/**', '**/tests/**'];
const SHIPPED_RULE = { group: DEV_ONLY, message: 'Shipped code never imports dev-only tooling (dev/), scripts, benches or tests.' };
const SHARED_RULE = { group: ['**/functions/**', '**/connectors/**', '**/template/**', '**/dashboard/**', ...DEV_ONLY], message: 'shared/ (the stages\' library) never imports a function, a connector, the template, the dashboard, dev-only tooling, a script, a bench or a test.' };
const TEST_CODE = ['**/*.test.ts', '**/testing/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.local/**', 'dist/**', 'dashboard/public/vendor/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': 'off',
    },
  },
  // Import rules that keep the layout honest (README "Architecture"): only adapter modules import
  // drivers; the stages' library code (shared/) never imports a function, a connector, the
  // template or the dashboard; nothing that ships imports dev-only tooling, scripts, benches or
  // tests. Tests and test helpers (`*.test.ts`, `testing/`) may import anything.
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/adapters/**', ...TEST_CODE],
    rules: { 'no-restricted-imports': ['error', { paths: NO_DRIVERS, patterns: [SHARED_RULE] }] },
  },
  {
    files: ['shared/**/adapters/**/*.ts'],
    ignores: TEST_CODE,
    rules: { 'no-restricted-imports': ['error', { patterns: [SHARED_RULE] }] },
  },
  {
    files: ['functions/**/*.ts', 'template/**/*.ts', 'dashboard/**/*.ts'],
    ignores: TEST_CODE,
    rules: { 'no-restricted-imports': ['error', { paths: NO_DRIVERS, patterns: [SHIPPED_RULE] }] },
  },
  {
    // The connectors are adapters themselves (they speak Kafka and HTTP).
    files: ['connectors/**/*.ts'],
    ignores: TEST_CODE,
    rules: { 'no-restricted-imports': ['error', { patterns: [SHIPPED_RULE] }] },
  },
  {
    files: ['dashboard/public/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', EventSource: 'readonly', Chart: 'readonly' } },
  },
);
