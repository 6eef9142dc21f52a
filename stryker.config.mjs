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
    // The unit tests only. Every integration suite starts a service and an embedded FHIR server in `beforeAll`, and
    // Stryker's jest runner cannot stop at a mutant's first failing test, so each mutant on the path of a hook call
    // paid for them: a full run with them had tested 1,154 of 1,915 mutants after 1 h 44 min (4 to 5 a minute), a
    // run of several hours on 2 cores. npm test still runs them all.
    config: {
      testPathIgnorePatterns: [
        '/node_modules/',
        '/test/browser/',
        // Except prefetch-planning: prefetch.ts's reads from a FHIR server are tested there only (one embedded
        // server in beforeAll; only prefetch planning's mutants reach it). Without it, prefetch.ts scored 18.9 %.
        '/test/integration/(?!prefetch-planning\\.test\\.ts$)',
        // Many overlapping hook calls with deliberately slowed fact look-ups: seconds per run, paid by every mutant.
        '/test/unit/concurrency\\.test\\.ts$',
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
