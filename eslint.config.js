import js from '@eslint/js';
import * as espree from 'espree';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', 'data/**', '**/data/**', 'coverage/**', 'packages/schema/json/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration only in main.ts via parseEnv (STYLE.md).' },
      ],
    },
  },
  {
    files: ['**/main.ts', 'examples/**', '**/*.test.ts', 'tests/**', '**/scripts/**', '**/cli/**', '**/global-setup.ts', '**/bench/**', '*.config.ts', '**/*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // BullMQ's index loads its PostgreSQL backend too (~2 MB of RSS per process): production code
    // takes BullMQ's classes from @aduan/queue (packages/queue/src/bullmq.ts).
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.d.ts', '**/test-support/**', '**/testing/**', 'packages/testkit/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'bullmq', allowTypeImports: true, message: "import BullMQ's classes from @aduan/queue (its index loads BullMQ's PostgreSQL backend)" }] }],
    },
  },
  {
    // Scripts the pages send to browsers: citizens' phones can be old (an Android Chrome of
    // 2017, KaiOS). Syntax past ES2017 would stop the whole script from parsing there.
    // ESLint's own parser: typescript-eslint's (set for every file above) ignores ecmaVersion.
    files: ['services/*/src/**/client/*.js'],
    languageOptions: { parser: espree, ecmaVersion: 2017, sourceType: 'script', globals: { ...globals.browser } },
    // Needs typescript-eslint's parser, and plain scripts import nothing.
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['packages/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@aduan/gateway', '@aduan/router', '@aduan/whatsapp', '@aduan/instagram', '@aduan/standalone', '**/services/**'], message: 'packages never import services' }] }],
    },
  },
);
