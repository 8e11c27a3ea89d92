import { defineConfig } from 'vitest/config';

// Specs only talk to loopback servers they start themselves; keep every wait bounded.
export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    typecheck: { enabled: false },
  },
});
