import path from 'node:path';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { computeFacts, REQUIRED_PARAMETERS } from '../../src/clinical/facts';
import { PatientRecord } from '../../src/clinical/patient-record';
import { scenarioRecordData } from '../support/scenario-record';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/**
 * The rule-set loader refuses a parameters.json without the parameters the facts read (REQUIRED_PARAMETERS). That
 * list is written by hand, so this checks it against what the facts really read: every fact, computed for every
 * scenario's patient with only the required parameters at hand, never fails for want of a parameter.
 */
test('the facts read no parameter beyond REQUIRED_PARAMETERS', () => {
  const ruleSet = bundledRuleSet();
  const required = Object.fromEntries(REQUIRED_PARAMETERS.map((name) => [name, ruleSet.parameters[name] as number]));
  const { scenarios } = loadScenarios(path.join(PROJECT_ROOT, 'rules'), undefined, ruleSet);
  expect(scenarios.length).toBeGreaterThan(100);

  const failures = scenarios.flatMap((scenario) => {
    const record = new PatientRecord(scenarioRecordData(scenario), ruleSet.terminology, new Date(scenario.now));
    const facts = computeFacts(
      record,
      { parameters: required, valueSetLists: ruleSet.valueSetLists, hook: scenario.hook, orders: [] },
      ruleSet.facts,
    );
    return Object.entries(facts).flatMap(([id, fact]) =>
      fact.error?.includes('parameter') ? [`${scenario.name} › ${id}: ${fact.error}`] : [],
    );
  });
  expect(failures).toEqual([]);
});
