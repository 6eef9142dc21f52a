// Mutation testing of the modules that decide clinical output, security and request validation (`npm run mutate`).
// Slow, so not part of `npm test`; README "Mutation testing" gives the last score per module.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  checkers: ['typescript'],
  // src only: a mutant that compiles as the service is a mutant to test.
  tsconfigFile: 'tsconfig.build.json',
  // Only the tests covering a mutant run against it.
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Tests that only drive dist/ or a browser cannot see a mutant of src/: they would only cost time.
    config: {
      testPathIgnorePatterns: [
        '/node_modules/',
        '/test/browser/',
        '/test/integration/(cluster|compiled-server|two-instances|rules-guide|rules-diff|metrics|card-ledger|' +
          'rule-profiles-cli)\\.test\\.ts$',
        // Suites that take seconds to start (a population of 1,000 patients, PostgreSQL stopped and restarted, fuzzing,
        // file watching) would be paid by every mutant they cover: the full run took 27 minutes for 846 of 1,925
        // mutants with them, then 2 a minute. What they reach is pinned by the unit tests and the other suites.
        '/test/(integration/(rule-profiles|request-fuzz|safety-population|security|live-reload|reload-cases|' +
          'ledger-faults|ledger-store)|unit/concurrency)\\.test\\.ts$',
        // Every scenario three ways over HTTP (a service per profile and clock, a FHIR server per 12 scenarios): each
        // mutant on the path of a hook call paid about 20 seconds for it, 3 mutants a minute, more than 5 hours for the
        // run. The README's MUTATE_TESTS scores were all measured without it; npm test still runs it.
        '/test/integration/clinical-scenarios\\.test\\.ts$',
        // MUTATE_TESTS="verify-token|bounded-state" runs only those test files: a quick run while writing tests (its
        // static mutants are tested too, against those files only; see ignoreStatic).
        ...(process.env.MUTATE_TESTS ? [`^(?!.*/(${process.env.MUTATE_TESTS})\\.test\\.ts$)`] : []),
      ],
    },
  },
  mutate: [
    'src/clinical/facts/*.ts',
    'src/clinical/patient-record.ts',
    'src/clinical/status-rules.ts',
    'src/clinical/fhir-time.ts',
    'src/clinical/code-index.ts',
    'src/clinical/medication-concept.ts',
    'src/fhir/terminology.ts',
    'src/fhir/condition-status.ts',
    'src/rules/evaluate.ts',
    'src/rules/condition-tree.ts',
    'src/http/auth/verify-token.ts',
    'src/http/auth/replay-cache.ts',
    'src/cds/hook-request.ts',
    'src/cds/prefetch.ts',
    'src/cds/prefetch-template.ts',
    'src/cds/cards/select-cards.ts',
  ],
  // A static mutant (code run while modules load or in beforeAll, such as fact labels or the ValueSet index) is
  // covered by no single test, so Stryker runs the whole suite for it: 1,693 of the 2,438 mutants, about a minute
  // each, more than a day on a 2-core machine. The full run leaves them out (reported as ignored); a MUTATE_TESTS run
  // tests them against the test files it names, which take seconds (README "Mutation testing").
  ignoreStatic: !process.env.MUTATE_TESTS,
  // The machine running it is usually shared; raise with --concurrency on a free one.
  concurrency: 2,
  timeoutMS: 60000,
  // The first run of every test (for per-test coverage) takes minutes on a busy machine.
  dryRunTimeoutMinutes: 60,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Also the sandboxes of a run started beside this one with --tempDirName .stryker-tmp-<name>.
  ignorePatterns: ['/.stryker-tmp*', '/reports', '/dist', '/coverage'],
  cleanTempDir: 'always',
};
