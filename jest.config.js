/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // src too: Stryker's per-test coverage (npm run mutate) only sees the files under a root.
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpile only (tsconfig.json sets isolatedModules): `npm run typecheck`, part of npm test, checks src and
    // tests once. ts-jest's type-checking language service in every worker made six unit-test files take 1.6-1.9
    // times as long, and its heap outlived jest-worker's 500 ms exit window ("A worker process has failed to exit
    // gracefully" with no handle open, jestjs/jest#11354).
    '^.+\\.ts$': 'ts-jest',
    // jose 6 ships only ES modules, which Jest 29's CommonJS runtime cannot load untransformed (Node itself can).
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
