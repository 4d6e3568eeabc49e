import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', 'data/**', '**/data/**', 'coverage/**', 'packages/schema/json/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
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
    files: ['packages/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@aduan/gateway', '@aduan/router', '@aduan/whatsapp', '@aduan/instagram', '@aduan/standalone', '**/services/**'], message: 'packages never import services' }] }],
    },
  },
);
