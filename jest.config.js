/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // src too: Stryker's per-test coverage (npm run mutate) only sees the files under a root.
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  // jose 6 ships only ES modules, which Jest 29's CommonJS runtime cannot load untransformed (Node itself can).
  transform: {
    '/node_modules/jose/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // Loading the FHIR definitions for the embedded test server takes a few seconds per worker.
  testTimeout: 30000,
  maxWorkers: 2,
};
