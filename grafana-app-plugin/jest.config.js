// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
// Node 20 loads some ESM-only dependencies as .mjs; the scaffold's transform only covers .[tj]sx?.
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
  // A real exporter for the whole run (src/test-support/globalSetup.ts), reached through a Grafana
  // stand-in that applies plugin.json's routes (src/test-support/grafana.ts).
  globalSetup: '<rootDir>/src/test-support/globalSetup.ts',
  globalTeardown: '<rootDir>/src/test-support/globalTeardown.ts',
  setupFiles: ['<rootDir>/src/test-support/bootData.ts'],
  setupFilesAfterEnv: [...base.setupFilesAfterEnv, '<rootDir>/src/test-support/setupTests.ts'],
  testTimeout: 60000,
};
