// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const MODULE_INTERNALS = {
  regex: '^\\.\\./(?!\\.)[^/]+/.+',
  message: 'Reach another engine module only through its public port: import "../<module>" (its index.ts), never its files.',
};
// Packages depend one way: engine -> connectors. Connectors (tests included) reach the engine
// over HTTP only, with their own service credential (ADR 0011).
const ENGINE_FROM_CONNECTORS = [
  { group: ['@cpq/engine', '@cpq/engine/*'], message: 'connectors never import the engine (engine -> connectors only): call its HTTP API, or move the code to connectors.' },
  { regex: '^(\\.\\./)+engine(/|$)', message: 'connectors never import the engine, not even its test helpers: use test/ (root) or the engine over HTTP (test/services/engine-process.ts).' },
];
const MODULE_INTERNALS_FROM_OUTSIDE = {
  regex: '(^|/)modules/[^/]+/.+',
  message: 'Import an engine module through its index.ts ("./modules/<module>"), never its internal files.',
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '.cache/**', '.run/**', 'studio/.next/**', 'studio/.next-e2e*/**', '**/dist/**', '**/.dist-test-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/ban-ts-comment': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string union instead of an enum.' }],
    },
  },
  {
    // One engine module never imports another module's internals (STYLE.md habit 1).
    files: ['engine/src/modules/*/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [MODULE_INTERNALS] }] },
  },
  {
    files: ['engine/src/*.ts', 'engine/src/http/**/*.ts', 'engine/src/plugins/**/*.ts', 'engine/src/roles/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [MODULE_INTERNALS_FROM_OUTSIDE] }] },
  },
  {
    // Only config.ts reads the environment; everything else receives an EngineConfig.
    files: ['engine/src/**/*.ts'],
    // A process role's own settings module (roles/<role>.config.ts) is its config.ts.
    ignores: ['engine/src/config.ts', 'engine/src/roles/*.config.ts', 'engine/src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings in engine/src/config.ts only.' }],
    },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ENGINE_FROM_CONNECTORS }] },
  },
  {
    // The studio talks to the engine over HTTP only.
    files: ['studio/**/*.{ts,tsx}'],
    ignores: ['studio/e2e/engine-fixture.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@cpq/engine', '@cpq/engine/*', '@cpq/prisma', '@cpq/prisma/*'], message: 'The studio uses the engine HTTP API, never its code or tables.' }] }] },
  },
  {
    // The e2e fixture starts the engine as a process on a cloned test database (test/services),
    // like the connectors' tests: it may clone the database, never import the engine.
    files: ['studio/e2e/engine-fixture.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@cpq/engine', '@cpq/engine/*'], message: 'Start the engine as a process (test/services/engine-process.ts), never import it.' }] }] },
  },
);
