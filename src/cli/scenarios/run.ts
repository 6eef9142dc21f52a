import { handleHookCall, type HookCallDependencies } from '../../cds/hook-service';
import { offlineFetchSettings } from '../../cds/prefetch';
import type { Card } from '../../cds/types';
import type { RuleSet } from '../../rules/load-rule-set';
import { buildHookRequest } from './hook-request';
import { loadScenarios } from './load';
import type { Scenario, ScenarioExpectation, ScenarioProblem, ScenarioResult } from './types';

/** Prefetch is always complete, so the runner never fetches: any fhirServer is refused. */
const NO_FETCH = offlineFetchSettings('the scenario runner never calls a FHIR server');

/** The rules behind the cards, in card order: a card group's card stands for each of its rules. */
export function ruleNamesOf(response: {
  cards?: Array<{ source?: { topic?: { code?: string } }; extension?: Record<string, unknown> }>;
}): string[] {
  return (response.cards ?? []).flatMap((card) => {
    const rules = card.extension?.['spine-cds.rules'];
    if (Array.isArray(rules)) return rules.map(String);
    return [card.source?.topic?.code ?? '(card without a rule name)'];
  });
}

/** Compares the cards returned with the expectation. */
export function compareCards(
  expectation: ScenarioExpectation,
  cards: string[],
): Pick<ScenarioResult, 'passed' | 'missing' | 'unexpected'> {
  const shown = new Set(cards);
  const missing = expectation.cards.filter((name) => !shown.has(name));
  const forbidden = new Set(expectation.absent);
  const allowed = new Set(expectation.cards);
  const unexpected = [...new Set(cards)].filter(
    (name) => forbidden.has(name) || (expectation.exactly === true && !allowed.has(name)),
  );
  return { passed: missing.length === 0 && unexpected.length === 0, missing, unexpected };
}

/** The cards one scenario's hook call returns under a rule set (in-process, with the scenario's `now` as the clock). */
export async function scenarioCards(scenario: Scenario, ruleSet: RuleSet): Promise<Card[]> {
  const deps: HookCallDependencies = { ruleSet, fetchSettings: NO_FETCH, now: () => new Date(scenario.now) };
  const { response } = await handleHookCall(scenario.hook, buildHookRequest(scenario, ruleSet), deps);
  return response.cards;
}

/** Runs one scenario in-process through handleHookCall and compares its cards with the expectation. */
export async function runScenario(scenario: Scenario & { file?: string }, ruleSet: RuleSet): Promise<ScenarioResult> {
  const base = { name: scenario.name, file: scenario.file ?? '', hook: scenario.hook, now: scenario.now };
  try {
    const cards = ruleNamesOf({ cards: await scenarioCards(scenario, ruleSet) });
    return { ...base, cards, ...compareCards(scenario.expect, cards) };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, cards: [], passed: false, missing: [...scenario.expect.cards], unexpected: [], error: message };
  }
}

async function runScenarios(
  scenarios: Array<Scenario & { file?: string }>,
  ruleSet: RuleSet,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(scenario, ruleSet));
  return results;
}

/** Loads, checks and runs every scenario file; problems stop the run before anything is evaluated. */
export async function testScenarioFiles(
  rulesDir: string,
  ruleSet: RuleSet,
  files?: string[],
): Promise<{ problems: ScenarioProblem[]; results: ScenarioResult[] }> {
  const { scenarios, problems } = loadScenarios(rulesDir, files, ruleSet);
  if (problems.length > 0) return { problems, results: [] };
  return { problems, results: await runScenarios(scenarios, ruleSet) };
}
