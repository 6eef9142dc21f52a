/**
 * A test that bounds wall-clock time. Under `npm run mutate` every line is instrumented and the machine is busy with
 * mutants, so such bounds measure the run, not the service: Stryker's workers skip them; `npm test` runs them.
 */
export const wallClockTest: jest.It = process.env.STRYKER_MUTATOR_WORKER === undefined ? test : test.skip;
