// ESLint flat config: typescript-eslint's strict rules, plus the type-aware checks that catch real bugs
// in a server (promises nobody awaits, promises passed where a callback is expected).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'reports/', '.stryker-tmp*/', 'node_modules/', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Express recognises an error handler by its four parameters; a leading underscore marks the unused ones.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // No line over 120 characters (prettier's printWidth; it does not break strings, comments or regexes).
    rules: { 'max-len': ['error', { code: 120 }] },
  },
  {
    // The sandbox simulator's browser script, served as is: plain JavaScript with browser globals.
    files: ['src/sandbox/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser },
      parserOptions: { projectService: false },
    },
  },
  {
    // Tests read JSON responses of any shape and build malformed input on purpose.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
