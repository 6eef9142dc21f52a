import path from 'node:path';
import { listJsonFiles, readJsonFile } from '../../json-file';
import type { RuleSet } from '../../rules/load-rule-set';
import { DEFAULT_PROFILE, profileFiles } from '../../rules/profiles';
import { schemaProblems } from '../../rules/schema-check';
import { expandFixtures, loadFixtures } from '../scenario-fixtures';
import { scenarioProblems } from './checks';
import type { LoadedScenario, ScenarioFile, ScenarioProblem } from './types';

const SCENARIO_SCHEMA = 'scenario';

/**
 * Reads and validates scenario files: JSON syntax, the schema, and what the schema cannot know (unique names,
 * a Patient matching patientId, references, selections, and, given a rule set, that every rule named exists and
 * can run on the scenario's hook). Scenarios are returned only when there are no problems at all.
 */
export function loadScenarios(
  rulesDir: string,
  files?: string[],
  ruleSet?: RuleSet,
): { scenarios: LoadedScenario[]; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const scenarios: LoadedScenario[] = [];
  const relative = (file: string) => path.relative(path.dirname(path.resolve(rulesDir)), path.resolve(file));
  // By default, the scenarios of the rule set's profile.
  const { scenariosDir } = profileFiles(rulesDir, ruleSet?.profile ?? DEFAULT_PROFILE);
  files ??= listJsonFiles(scenariosDir);
  if (files.length === 0) {
    problems.push({
      file: relative(scenariosDir),
      path: '',
      code: 'empty-folder',
      message: 'contains no scenario file (*.json)',
    });
  }
  const { problems: fixtureProblems, ...fixtures } = loadFixtures(path.join(rulesDir, 'scenarios'), relative);
  problems.push(...fixtureProblems);
  for (const file of files) {
    const display = relative(file);
    const { value: written, problem } = readJsonFile(file, display);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const { value, problems: unknownFixtures, fromBroken } = expandFixtures(written, fixtures, display);
    problems.push(...unknownFixtures);
    const found = schemaProblems(SCENARIO_SCHEMA, value, display)
      .filter((p) => !fromBroken.some((at) => p.path === at || p.path.startsWith(`${at}.`)))
      .map((p) => ({ ...p, rule: undefined, scenario: scenarioNameAt(value, p.path) }));
    problems.push(...found);
    if (found.length > 0) continue;
    for (const scenario of (value as ScenarioFile).scenarios) scenarios.push({ ...scenario, file: display });
  }
  problems.push(...scenarioProblems(scenarios, ruleSet));
  return { scenarios: problems.length === 0 ? scenarios : [], problems };
}

function scenarioNameAt(value: unknown, where: string): string | undefined {
  const index = /^scenarios\[(\d+)\]/.exec(where)?.[1];
  if (index === undefined) return undefined;
  const scenario = (value as { scenarios?: Array<{ name?: unknown }> }).scenarios?.[Number(index)];
  return typeof scenario?.name === 'string' ? scenario.name : undefined;
}
