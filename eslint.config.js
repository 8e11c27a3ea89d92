// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // docs/api/examples is generated and type-checked by spec/openapi/compile.spec.ts
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/.vitepress/**', 'docs/api/examples/**', 'bench/.ab-*/**', 'bench/.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
);
