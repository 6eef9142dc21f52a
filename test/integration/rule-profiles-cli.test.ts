import path from 'node:path';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { runCompiledCli } from '../support/compiled-cli';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/**
 * The rules command line with --profile, run as a user runs it: the compiled CLI in dist/ (built by `npm test`).
 * Apart from rule-profiles.test.ts because Stryker's sandbox has no dist/ (stryker.config.mjs leaves this file out).
 */

const RULES_DIR = path.join(PROJECT_ROOT, 'rules');
const CLINIC = 'decompression-clinic';

test('rules check, test and explain take --profile; an unknown one is refused naming the known ones', () => {
  const cli = (...args: string[]) => {
    const result = runCompiledCli(args);
    return { status: result.status, output: result.stdout + result.stderr };
  };
  const check = cli('rules', 'check', '--profile', CLINIC);
  expect(check.output).toContain(`all valid (version ${bundledRuleSet(CLINIC).version}, profile decompression-clinic)`);
  expect(check.status).toBe(0);
  const run = cli('rules', 'test', '--profile', CLINIC);
  expect(run.output).toMatch(
    /^PASS rules\/profiles\/decompression-clinic\/scenarios\/decompression-clinic\.json › dc-/m,
  );
  expect(run.output).toContain(
    `${loadScenarios(RULES_DIR, undefined, bundledRuleSet(CLINIC)).scenarios.length} passed, 0 failed`,
  );
  expect(run.status).toBe(0);
  const scenarios = path.join(RULES_DIR, 'profiles', CLINIC, 'scenarios', 'decompression-clinic.json');
  const explained = cli('rules', 'explain', scenarios, '--scenario', 'dc-programme-sciatica', '--profile', CLINIC);
  expect(explained.output).toContain(`Rule set ${bundledRuleSet(CLINIC).version} (profile decompression-clinic)`);
  expect(explained.output).toMatch(/\[info\] decompression-programme: /);
  // Under the default profile the same patient only hears that traction is not recommended.
  const underDefault = cli('rules', 'explain', scenarios, '--scenario', 'dc-programme-sciatica');
  expect(underDefault.output).toMatch(
    /\[info\] not-recommended: Not recommended for this patient: traction or decompression/,
  );
  expect(underDefault.output).not.toMatch(/\] decompression-programme: /);
  const unknown = cli('rules', 'check', '--profile', 'chiropractic');
  expect(unknown.status).toBe(2);
  expect(unknown.output).toMatch(
    /--profile: no rule profile "chiropractic" .*; known profiles: default, decompression-clinic/,
  );
});
