import type { FileProblemCode } from '../../file-problem-codes';
import type { RuleSet } from '../../rules/load-rule-set';
import type { LoadedScenario, ScenarioProblem } from './types';

/** Checks across scenarios and against the rule set; the schema has already passed. */
export function scenarioProblems(scenarios: LoadedScenario[], ruleSet?: RuleSet): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const firstFile = new Map<string, string>();
  const resourcesById = new Map<string, { scenario: string; json: string }>();
  const rules = ruleSet ? new Map(ruleSet.rules.map((rule) => [rule.spec.name, rule.spec])) : undefined;

  scenarios.forEach((scenario) => {
    const at = (where: string, message: string, code: FileProblemCode = 'invalid-scenario') =>
      problems.push({ file: scenario.file, scenario: scenario.name, path: where, code, message });
    const previous = firstFile.get(scenario.name);
    if (previous)
      at('name', `is already used by a scenario in ${previous}; scenario names must be unique`, 'duplicate-name');
    firstFile.set(scenario.name, scenario.file);

    if (Number.isNaN(Date.parse(scenario.now))) at('now', `"${scenario.now}" is not a valid date-time`);

    const patients = scenario.resources.filter((resource) => resource.resourceType === 'Patient');
    if (patients.length !== 1) at('resources', `must contain exactly one Patient (found ${patients.length})`);
    else if (patients[0].id !== scenario.patientId)
      at('resources', `the Patient's id "${patients[0].id}" differs from patientId "${scenario.patientId}"`);

    const ids = new Set<string>();
    scenario.resources.forEach((resource, index) => {
      const key = `${resource.resourceType}/${resource.id}`;
      if (ids.has(key)) at(`resources[${index}].id`, `${key} appears twice in this scenario`);
      ids.add(key);
      const other = resourcesById.get(key);
      const json = JSON.stringify(resource);
      if (other && other.json !== json) {
        at(
          `resources[${index}].id`,
          `${key} is also used, with different content, by scenario "${other.scenario}"; ` +
            'use unique ids (all scenarios share one test FHIR server)',
        );
      }
      if (!other) resourcesById.set(key, { scenario: scenario.name, json });
      const subject = (resource as { subject?: { reference?: string } }).subject?.reference;
      if (resource.resourceType !== 'Patient' && subject !== `Patient/${scenario.patientId}`) {
        at(`resources[${index}].subject`, `must be Patient/${scenario.patientId}, got ${subject ?? 'nothing'}`);
      }
    });

    const isOrderHook = scenario.hook !== 'patient-view';
    if (!isOrderHook && scenario.draftOrders) at('draftOrders', 'is only used by order-select and order-sign');
    if (isOrderHook && !scenario.draftOrders)
      at('draftOrders', `is required for ${scenario.hook}: without draft orders the service has nothing to check`);
    if (scenario.hook !== 'order-select' && scenario.selections) at('selections', 'is only used by order-select');
    if (scenario.hook === 'order-select' && !scenario.selections) at('selections', 'is required for order-select');
    const orderIds = new Set((scenario.draftOrders ?? []).map((order) => `${order.resourceType}/${order.id}`));
    (scenario.draftOrders ?? []).forEach((order, index) => {
      if (order.subject?.reference !== `Patient/${scenario.patientId}`) {
        at(
          `draftOrders[${index}].subject`,
          `must be Patient/${scenario.patientId}, got ${order.subject?.reference ?? 'nothing'}`,
        );
      }
    });
    (scenario.selections ?? []).forEach((selection, index) => {
      if (!orderIds.has(selection)) at(`selections[${index}]`, `"${selection}" is not one of the draftOrders`);
    });

    const expected = new Set(scenario.expect.cards);
    scenario.expect.absent.forEach((name, index) => {
      if (expected.has(name)) at(`expect.absent[${index}]`, `"${name}" is also listed in expect.cards`);
    });
    if (rules) {
      const check = (list: 'cards' | 'absent') =>
        scenario.expect[list].forEach((name, index) => {
          const rule = rules.get(name);
          if (!rule)
            at(
              `expect.${list}[${index}]`,
              `no rule is named "${name}"${suggestName(name, [...rules.keys()])}`,
              'unknown-rule',
            );
          else if (rule.hooks && !rule.hooks.includes(scenario.hook)) {
            at(
              `expect.${list}[${index}]`,
              `rule "${name}" never runs on ${scenario.hook} (only ${rule.hooks.join(', ')}), ` +
                'so this expectation says nothing',
            );
          }
        });
      check('cards');
      check('absent');
    }
  });
  return problems;
}

function suggestName(name: string, names: string[]): string {
  const close = names.find((candidate) => candidate.includes(name) || name.includes(candidate));
  return close ? ` (did you mean "${close}"?)` : '';
}
