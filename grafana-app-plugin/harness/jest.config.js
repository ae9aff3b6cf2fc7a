// The browser test's jest project (run with the page tests: `jest --projects . harness`): Node, not
// jsdom, since it drives a real Chromium; TypeScript through swc as in the scaffold's config.
const base = require('../.config/jest.config');

module.exports = {
  displayName: 'browser',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: base.transform,
};
