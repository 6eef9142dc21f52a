import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FACT_DEFINITIONS } from '../../src/clinical/facts';
import { formatProblem, loadRuleSet, RuleSetError } from '../../src/rules/load-rule-set';
import { PROJECT_ROOT } from '../support/spine-service';

/** Each mistake an informaticist can make in a rule pack is reported with file, rule and JSON path. */

type Pack = { rules: Array<Record<string, any>> };

function problemsAfter(change: (pathway: Pack, parameters: Record<string, any>) => void): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-load-'));
  try {
    fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
    const packFile = path.join(dir, 'rules', 'packs', 'pathway.json');
    const parametersFile = path.join(dir, 'rules', 'parameters.json');
    const pack = JSON.parse(fs.readFileSync(packFile, 'utf8')) as Pack;
    const parameters = JSON.parse(fs.readFileSync(parametersFile, 'utf8'));
    change(pack, parameters.parameters);
    fs.writeFileSync(packFile, JSON.stringify(pack));
    fs.writeFileSync(parametersFile, JSON.stringify(parameters));
    loadRuleSet(path.join(dir, 'rules'), path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'));
    return [];
  } catch (error) {
    if (error instanceof RuleSetError) return error.problems.map((problem) => formatProblem(problem));
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const physiotherapy = (pack: Pack) => pack.rules.find((rule) => rule.name === 'physiotherapy') as Record<string, any>;

test.each<[string, (pack: Pack, parameters: Record<string, any>) => void, RegExp]>([
  [
    'an unknown fact',
    (pack) => (physiotherapy(pack).when.all[0].fact = 'painScor'),
    /rule "physiotherapy" › rules\[\d+\]\.when\.all\[0\]\.fact: "painScor" is unknown\. Did you mean "painScore"\?/,
  ],
  [
    'an unknown operator',
    (pack) => (physiotherapy(pack).when.all[0].operator = 'atLeast'),
    new RegExp(
      /rule "physiotherapy" › rules\[\d+\]\.when\.all\[0\]\.operator: /.source +
        /"atLeast" is unknown\. It must be one of: "equal"/.source,
    ),
  ],
  [
    'a summary of 140 characters',
    (pack) => (physiotherapy(pack).card.summary = 'x'.repeat(140)),
    /rule "physiotherapy" › rules\[\d+\]\.card\.summary: is too long: at most 139 characters/,
  ],
  [
    'a summary that grows past 139 characters once parameters are filled in',
    (pack, parameters) => {
      physiotherapy(pack).card.summary = `${'x'.repeat(127)}{{param.p}}`; // 138 characters as written
      parameters.p = { value: 1e16, description: 'a long value', source: 'test' };
    },
    /rules\[\d+\]\.card\.summary: is 144 characters once parameters are filled in/,
  ],
  [
    'a fact placeholder in a summary',
    (pack) => (physiotherapy(pack).card.summary = 'Pain {{painScore}}'),
    /card\.summary: \{\{painScore\}\}: a summary may only name parameters/,
  ],
  [
    'a missing source',
    (pack) => delete physiotherapy(pack).card.source,
    /rule "physiotherapy" › rules\[\d+\]\.card: "source" is missing/,
  ],
  [
    'an unknown ValueSet',
    (pack) => (physiotherapy(pack).card.suggestions[0].order = 'physio-referal'),
    /card\.suggestions\[0\]\.order: ValueSet "physio-referal" does not exist/,
  ],
  [
    'a threshold of the wrong type',
    (_pack, parameters) => (parameters.physiotherapyMinPain.value = 'seven'),
    new RegExp(
      /rules\/parameters\.json › parameters\.physiotherapyMinPain\.value: must be a number /.source +
        /\(it is "seven"\): rules compare it as one /.source +
        /\("order-physiotherapy-early", "physiotherapy", "start-back-low-risk"\)/.source,
    ),
  ],
  [
    'an unknown parameter',
    (pack) => (physiotherapy(pack).when.all[1].any[1].value = { param: 'physioMinPain' }),
    /parameter "physioMinPain" is not defined in rules\/parameters\.json/,
  ],
  [
    'a numeric comparison on a yes/no fact',
    (pack) => (physiotherapy(pack).when.all[0] = { fact: 'backPain', operator: 'greaterThan', value: 1 }),
    /"backPain" is a boolean, so greaterThan can never be true/,
  ],
  [
    'an unknown override reason set',
    (pack) => (physiotherapy(pack).card.overrideReasons = 'stepz'),
    /set "stepz" is not defined in rules\/override-reasons\.json/,
  ],
  [
    '"not" around a threshold (true when the fact is unknown)',
    (pack) => (physiotherapy(pack).when.all[1].any[1] = { not: { fact: 'painScore', operator: 'lessThan', value: 7 } }),
    /when\.all\[1\]\.any\[1\]\.not: "not" around "painScore lessThan …" is also true when painScore is not known/,
  ],
  [
    'notEqual (true when the fact is unknown)',
    (pack) => (physiotherapy(pack).when.all[0] = { fact: 'durationClass', operator: 'notEqual', value: 'acute' }),
    /notEqual is also true when durationClass is not known/,
  ],
  [
    'an unknown shared condition',
    (pack) => (physiotherapy(pack).when.all[0] = { shared: 'noSuchCondition' }),
    /when\.all\[0\]\.shared: no shared condition "noSuchCondition" in rules\/shared\.json/,
  ],
  [
    'an unknown check list',
    (pack) => (physiotherapy(pack).card.checks = [{ list: 'noSuchList' }]),
    /card\.checks\[0\]\.list: no check list "noSuchList" in rules\/shared\.json/,
  ],
  [
    'hiding a rule that does not exist',
    (pack) => (physiotherapy(pack).card.suppresses = ['rule:no-such-rule']),
    /card\.suppresses\[0\]: no rule is named "no-such-rule"/,
  ],
])('%s is an error naming file, rule and path', (_name, change, message) => {
  const problems = problemsAfter(change);
  expect(problems.join('\n')).toMatch(message);
  expect(problems.every((problem) => problem.startsWith('- rules/'))).toBe(true);
});

test('the bundled rule set has no problems', () => {
  expect(problemsAfter(() => undefined)).toEqual([]);
});

test('a shared condition and a check list are expanded where rules name them', () => {
  const ruleSet = loadRuleSet(path.join(PROJECT_ROOT, 'rules'), path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'));
  const shared = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'shared.json'), 'utf8'));
  const traction = ruleSet.rules.find((rule) => rule.spec.name === 'traction-absolute')?.spec;
  const inversion = ruleSet.rules.find((rule) => rule.spec.name === 'inversion-absolute')?.spec;
  expect(traction?.when).toEqual(shared.conditions.tractionAbsoluteContraindication.when);
  expect((inversion?.when as { any: unknown[] }).any[0]).toEqual(
    shared.conditions.tractionAbsoluteContraindication.when,
  );
  expect(inversion?.card.checks).toEqual([
    ...shared.checkLists.tractionContraindications.facts,
    'hypertension',
    'glaucomaOrRetinalDetachment',
  ]);
});

test('the JSON Schemas offer exactly the built-in facts the code computes', () => {
  const facts = [...FACT_DEFINITIONS.keys()].sort();
  const enums: string[][] = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      const values = (node as { examples?: unknown[] }).examples;
      if (values?.includes('painScore')) enums.push((values as string[]).slice().sort());
      Object.values(node).forEach(collect);
    }
  };
  for (const name of ['rule-pack', 'shared'])
    collect(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'schema', `${name}.schema.json`), 'utf8')));
  expect(enums.length).toBeGreaterThanOrEqual(4);
  for (const listed of enums) expect(listed).toEqual(facts);
});
