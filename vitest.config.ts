import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const lib = (path: string) => fileURLToPath(new URL(`./lib/${path}`, import.meta.url));

// Specs only talk to loopback servers they start themselves; keep every wait bounded.
export default defineConfig({
  // the testing guide's vitest examples import the package by name, as a user's tests do; here
  // that is the source (tsconfig.json's `paths` say the same to tsc and tsx)
  resolve: {
    alias: [
      { find: /^wechatpay-chain$/, replacement: lib('index.ts') },
      { find: /^wechatpay-chain\/([\w-]+)$/, replacement: lib('$1/index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts', 'examples/testing/vitest/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    typecheck: { enabled: false },
  },
});
