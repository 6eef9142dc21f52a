/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Loading the FHIR definitions for the embedded test server takes a few seconds per worker.
  testTimeout: 30000,
  maxWorkers: 2,
};
