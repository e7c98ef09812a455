'use strict';
// The JS check CI runs (`npm run lint`): ESLint's recommended rules over
// the shipped JS (index.js, register.js, lib/, bin/) and the scripts and tests.
const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  { ignores: ['target/**', 'oracle/target/**', 'node_modules/**', '__test__/build/**', 'crates/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'commonjs', globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
  },
];
