import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogueHtml } from '../../src/catalogue/render-catalogue';
import { factLabel } from '../../src/cds/cards/describe-facts';
import { FACT_DEFINITIONS } from '../../src/clinical/facts';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { PROJECT_ROOT } from '../support/spine-service';

/** A threshold lives in rules/parameters.json only: labels and the catalogue print its live value, never a copy. */

/** Numbers a label may carry because the code it describes fixes them (a scale, a coded stage), not a parameter. */
const CODE_DEFINED_NUMBERS = ['(0–10)', 'grade 2 or more', 'BMI 40+', 'stage 4-5'];

test('no fact label writes a number a parameter decides: each is {{param.x}} or fixed by the code it describes', () => {
  for (const [id, definition] of FACT_DEFINITIONS) {
    const rest = CODE_DEFINED_NUMBERS.reduce(
      (label, allowed) => label.replace(allowed, ''),
      definition.label.replace(/\{\{param\.\w+\}\}/g, ''),
    );
    expect({ id, digits: /\d/.test(rest) }).toEqual({ id, digits: false });
  }
});

test('changed duration thresholds show in the fact label and on the catalogue page; the old ones do not', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-labels-'));
  try {
    fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
    const file = path.join(dir, 'rules', 'parameters.json');
    const parameters = JSON.parse(fs.readFileSync(file, 'utf8'));
    parameters.parameters.acuteMaxWeeks.value = 5;
    parameters.parameters.chronicAfterWeeks.value = 13;
    fs.writeFileSync(file, JSON.stringify(parameters));
    const ruleSet = loadRuleSet(path.join(dir, 'rules'), path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'));

    expect(factLabel('durationClass', ruleSet.parameters, ruleSet.facts)).toBe(
      'Duration class (acute < 5 weeks, subacute to 13, chronic beyond)',
    );
    const page = catalogueHtml(ruleSet);
    expect(page).toContain('Duration class (acute &lt; 5 weeks, subacute to 13, chronic beyond)');
    expect(page).not.toMatch(/acute &lt; 4 weeks|subacute 4–12|chronic &gt; 12/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
