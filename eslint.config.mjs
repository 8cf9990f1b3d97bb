import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import regexp from 'eslint-plugin-regexp';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.kafka/**', '.kanal/**', '.nx/**', '**/__fixtures__/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Services talk to each other only through Kafka and the contracts.
            {
              sourceTag: 'type:service',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'],
              bannedExternalImports: ['kafkajs'],
            },
            {
              sourceTag: 'scope:connector',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'],
              bannedExternalImports: ['kafkajs'],
            },
            {
              sourceTag: 'type:platform',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'],
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: ['kafkajs', 'pg', 'express', 'pino'],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'] },
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'] },
          ],
        },
      ],
    },
  },
  {
    // Regexes run on untrusted input (webhook bodies, lookups, log text): one whose time grows
    // faster than its input freezes the event loop for every request (an email lookup of 7,000
    // labels once took 191 ms). Specs and scripts run on our own data.
    files: ['{libs,services,tools}/**/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    // kafkajs lives behind the event-bus port: only libs/kafka may import it.
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['libs/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'Use the event-bus port from @kanal/kafka.' }] },
      ],
    },
  },
  {
    // The composition layer above the services: end-to-end tests start several services, and
    // `kanal normalize` runs each connector's own mapper (the same code path as the service).
    files: ['e2e/**/*.ts', 'tools/kanal/src/normalize-command.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
