import path from 'node:path';
import type { Observation } from '@medplum/fhirtypes';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { dataRequirements } from '../../src/cds/services';
import { computeFacts } from '../../src/clinical/facts';
import type { Match } from '../../src/clinical/code-index';
import { PatientRecord } from '../../src/clinical/patient-record';
import { scenarioRecordData } from '../support/scenario-record';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/**
 * The observations prefetch asks only for the codes of the ValueSets it lists (src/cds/services.ts): a fact reading
 * a ValueSet missing from that list would get no data from an EHR honouring the template, and read "not known" for
 * every patient. This computes every fact for every scenario and checks each ValueSet the facts asked observations
 * about is in the query.
 */
class ObservationQuestions extends PatientRecord {
  readonly asked = new Set<string>();

  override observations(valueSet: string): Match<Observation>[] {
    this.asked.add(valueSet);
    return super.observations(valueSet);
  }

  override observationComponents(valueSet: string): ReturnType<PatientRecord['observationComponents']> {
    this.asked.add(valueSet);
    return super.observationComponents(valueSet);
  }
}

test('every ValueSet the facts ask observations about is in the observations prefetch', () => {
  const ruleSet = bundledRuleSet();
  const { scenarios } = loadScenarios(path.join(PROJECT_ROOT, 'rules'), undefined, ruleSet);
  const asked = new Set<string>();
  for (const scenario of scenarios) {
    const record = new ObservationQuestions(scenarioRecordData(scenario), ruleSet.terminology, new Date(scenario.now));
    const { parameters, valueSetLists } = ruleSet;
    computeFacts(record, { parameters, valueSetLists, hook: scenario.hook, orders: [] }, ruleSet.facts);
    for (const valueSet of record.asked) asked.add(valueSet);
  }
  expect(asked.size).toBeGreaterThan(5);

  const query = decodeURIComponent(
    dataRequirements(ruleSet).find((requirement) => requirement.key === 'observations')?.template ?? '',
  );
  const missing = [...asked].filter((valueSet) =>
    ruleSet.terminology.codesOf(valueSet).some((coding) => !query.includes(`${coding.system}|${coding.code}`)),
  );
  expect(missing).toEqual([]);
});
