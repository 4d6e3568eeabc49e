import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./packages/testkit/src/global-setup.ts'],
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'services/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
