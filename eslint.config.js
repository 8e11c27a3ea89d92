// @ts-check
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The paths .gitattributes marks `linguist-generated`: written by `npm run generate`, so not
 * linted (tsc still checks them; docs/api/examples is compiled by spec/openapi/compile.spec.ts).
 * One list, kept to the generator's by spec/scripts/generate.spec.ts.
 */
const generated = readFileSync(new URL('.gitattributes', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/))
  .filter(([pattern = '', ...attributes]) => pattern !== '' && !pattern.startsWith('#') && attributes.some((a) => a === 'linguist-generated' || a === 'linguist-generated=true'))
  .map(([pattern]) => pattern);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/.vitepress/**', 'bench/.ab-*/**', 'bench/.scratch/**', ...generated] },
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
