import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['exporter/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
  },
});
