import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatProblem, loadRuleSet, RuleSetError } from '../../src/rules/load-rule-set';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * The mistakes an informaticist reported, each in an untouched copy of the bundled rules: one mistake gives exactly
 * one problem, at the place to fix, with a suggestion where a known name is near.
 */

/** The problems one change makes, as `rules check` prints them, and their stable codes (which tools match). */
function problemsAfter(file: string, change: (text: string) => string): { texts: string[]; codes: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-one-mistake-'));
  try {
    fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
    const target = path.join(dir, 'rules', file);
    const before = fs.readFileSync(target, 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    fs.writeFileSync(target, after);
    loadRuleSet(path.join(dir, 'rules'), path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'));
    return { texts: [], codes: [] };
  } catch (error) {
    if (error instanceof RuleSetError)
      return { texts: error.problems.map(formatProblem), codes: error.problems.map((problem) => problem.code) };
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a typo in a fact name: one problem, with the fact meant', () => {
  const problems = problemsAfter('packs/contraindications.json', (text) =>
    text.replace('"fact": "bmi"', '"fact": "bmii"'),
  );
  expect(problems.codes).toEqual(['unknown-fact']);
  expect(problems.texts[0]).toMatch(
    new RegExp(
      /^- rules\/packs\/contraindications\.json › rule "[^"]+" › rules\[\d+\]\..*\.fact: /.source +
        /"bmii" is unknown\. Did you mean "bmi"\?/.source,
    ),
  );
});

test('a missing comma: one problem, at the line and column of the break', () => {
  const problems = problemsAfter('packs/contraindications.json', (text) => text.replace(/("fact": "bmi"),/, '$1'));
  expect(problems.codes).toEqual(['json-syntax']);
  expect(problems.texts[0]).toMatch(
    /^- rules\/packs\/contraindications\.json: is not valid JSON: .* at line \d+, column \d+$/,
  );
});

test('a threshold typed as text: one problem, at parameters.json, naming the rules that use it', () => {
  const problems = problemsAfter('parameters.json', (text) =>
    text.replace('"obesityBmi": { "value": 30,', '"obesityBmi": { "value": "30",'),
  );
  expect(problems.codes).toEqual(['type-mismatch']);
  expect(problems.texts[0]).toMatch(
    new RegExp(
      /^- rules\/parameters\.json › parameters\.obesityBmi\.value: must be a number \(it is "30"\): /.source +
        /rules compare it as one \("[a-z-]+"(, "[a-z-]+")*\)$/.source,
    ),
  );
});

test('a misspelt parameter, ValueSet, override set and suppressed rule each get one problem with a suggestion', () => {
  const pathway = problemsAfter('packs/pathway.json', (text) =>
    text
      .replace('"param": "physiotherapyMinPain"', '"param": "physiotherapyMinPian"')
      .replace('"order": "physiotherapy-referral"', '"order": "physiotherapy-referal"'),
  );
  expect(pathway.codes).toEqual(['unknown-parameter', 'unknown-valueset']);
  expect(pathway.texts).toEqual([
    expect.stringMatching(/parameter "physiotherapyMinPian" is not defined .* Did you mean "physiotherapyMinPain"\?$/),
    expect.stringMatching(
      /ValueSet "physiotherapy-referal" does not exist .* Did you mean "physiotherapy-referral"\?$/,
    ),
  ]);
  const contraindications = problemsAfter('packs/contraindications.json', (text) =>
    text
      .replace('"overrideReasons": "safety"', '"overrideReasons": "safty"')
      .replace('"rule:traction-relative"', '"rule:traction-relativ"'),
  );
  expect(contraindications.codes).toEqual(['unknown-override-reasons', 'unknown-rule']);
  expect(contraindications.texts).toEqual([
    expect.stringMatching(/set "safty" is not defined in rules\/override-reasons\.json\. Did you mean "safety"\?$/),
    expect.stringMatching(
      /card\.suppresses\[\d+\]: no rule is named "traction-relativ"\. Did you mean "traction-relative"\?$/,
    ),
  ]);
});

test('a fact placeholder followed by its own unit: one problem, before a card reads "7.4 weeks weeks"', () => {
  const problems = problemsAfter('packs/medications.json', (text) =>
    text.replace('has lasted {{painWeeks}} (chronic)', 'has lasted {{painWeeks}} weeks (chronic)'),
  );
  expect(problems.codes).toEqual(['repeated-unit']);
  expect(problems.texts[0]).toMatch(/\{\{painWeeks\}\} is printed with its unit \(weeks\)/);
});

test('a misspelt ValueSet in the lists the facts read (shared.json): one problem, at the list entry', () => {
  const problems = problemsAfter('shared.json', (text) =>
    text.replace('"neurogenic-claudication"\n', '"neurogenic-claudicaton"\n'),
  );
  expect(problems.codes).toEqual(['unknown-valueset']);
  expect(problems.texts).toEqual([
    '- rules/shared.json › valueSetLists.backPainEpisode.valueSets[6]: ValueSet "neurogenic-claudicaton" does not ' +
      'exist in fhir-profiles/valuesets. Did you mean "neurogenic-claudication"?',
  ]);
});
