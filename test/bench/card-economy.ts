import path from 'node:path';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { answerPopulation, answerScenarios, economyOf } from '../population/card-economy';

/**
 * Card economy over the bundled scenarios and the safety population (issue 12): median and largest rendered card
 * detail, cards per chart-open. `npx tsc -p test/bench/tsconfig.json && node dist/test/bench/card-economy.js`
 * (after `npm run build`); SAFETY_SEED and SAFETY_PATIENTS as for the safety population test.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LIMIT = 1500;
const POPULATION_NOW = new Date('2026-11-21T12:00:00Z');

async function main(): Promise<void> {
  const ruleSet = loadRuleSet(path.join(ROOT, 'rules'), path.join(ROOT, 'fhir-profiles', 'valuesets'));
  const scenarios = await answerScenarios(ruleSet, path.join(ROOT, 'rules'));
  const population = await answerPopulation(
    ruleSet,
    Number(process.env.SAFETY_PATIENTS ?? 1000),
    Number(process.env.SAFETY_SEED ?? 20261128),
    POPULATION_NOW,
  );
  const chronic = scenarios.find((call) => call.source.endsWith('step-no-fusion-chronic-non-specific'));
  const report = {
    scenarios: economyOf(scenarios, LIMIT),
    population: economyOf(population, LIMIT),
    all: economyOf([...scenarios, ...population], LIMIT),
    chronicNonSpecificChartOpen: chronic?.cards.map((card) => `${card.indicator} ${card.source.topic?.code}`),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
