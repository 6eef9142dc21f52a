import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogueHtml } from '../../src/catalogue/render-catalogue';
import { factLabel } from '../../src/cds/cards/describe-facts';
import { FACT_DEFINITIONS } from '../../src/clinical/facts';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { scenarioCards } from '../../src/cli/scenarios/run';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { PROJECT_ROOT } from '../support/spine-service';

/** A threshold lives in rules/parameters.json only: labels and the catalogue print its live value, never a copy. */

/** Numbers a label may carry because the code it describes fixes them (a scale, a coded stage), not a parameter. */
const CODE_DEFINED_NUMBERS = ['grade 2 or more', 'BMI 40+', 'stage 4-5'];

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
      'Duration class (acute < 5 weeks, subacute 5–13, chronic > 13)',
    );
    const page = catalogueHtml(ruleSet);
    expect(page).toContain('Duration class (acute &lt; 5 weeks, subacute 5–13, chronic &gt; 13)');
    expect(page).not.toMatch(/acute &lt; 4 weeks|subacute 4–12|chronic &gt; 12/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A value different from every parameter's own, inside the range its unit allows (a 0–10 score stays a score). */
function changedValue(value: number, unit: string): number {
  if (unit === '0-10') return value > 5 ? value - 1 : value + 1;
  if (unit === 'T-score') return Math.round((value - 0.3) * 10) / 10;
  return value + (({ days: 500, weeks: 50, '%': 13 } as Partial<Record<string, number>>)[unit] ?? 9);
}

/** How text would print a parameter's old value: "6 weeks", "40 %", "≥ 7" or "7/10", "-2.5", "T-score above 10". */
function oldValuePatterns(value: number, unit: string): RegExp[] {
  const number = String(value).replace('.', '\\.');
  if (unit === '0-10') return [new RegExp(`(?<![\\d.])${number}/10`), new RegExp(`[≥>]=? ?${number}(?![\\d.])`)];
  if (unit === 'T-score') {
    // A positive T-score (a plausibility bound) is only recognisable as one beside the word.
    if (value >= 0) return [new RegExp(`T-score[^\\n.]{0,30}(?<![\\w.-])${number}(?![\\d.])`)];
    return [new RegExp(`(?<![\\w.-])[-−]${number.slice(1)}(?![\\d.])`)];
  }
  const unitPattern = unit.replace('/', '\\/');
  return [new RegExp(`(?<![\\d.–-])${number}[ -]?${unitPattern}`)];
}

/**
 * The catalogue's words, without its parameter table: a parameter's source cites the guideline's own figure (the
 * default's origin), which is right to keep; its description is checked on its own.
 */
const visibleText = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<section id="parameters"[\s\S]*?<\/section>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

test('with every parameter changed, no card, fact label or catalogue page prints an old value', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-parameters-'));
  try {
    fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
    const file = path.join(dir, 'rules', 'parameters.json');
    const document = JSON.parse(fs.readFileSync(file, 'utf8'));
    const parameters = Object.entries(
      document.parameters as Record<string, { value: number; unit: string; description: string }>,
    );
    const old = parameters.map(([name, { value, unit }]) => ({ name, patterns: oldValuePatterns(value, unit) }));
    for (const [, parameter] of parameters) parameter.value = changedValue(parameter.value, parameter.unit);
    fs.writeFileSync(file, JSON.stringify(document));
    const ruleSet = loadRuleSet(path.join(dir, 'rules'), path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'));

    const texts: Array<{ where: string; text: string }> = [
      { where: 'catalogue', text: visibleText(catalogueHtml(ruleSet)) },
      ...[...ruleSet.facts.keys()].map((id) => ({
        where: `label of ${id}`,
        text: factLabel(id, ruleSet.parameters, ruleSet.facts),
      })),
      ...parameters.map(([name, parameter]) => ({
        where: `description of ${name}`,
        text: String(parameter.description),
      })),
    ];
    const { scenarios } = loadScenarios(path.join(dir, 'rules'), undefined, ruleSet);
    for (const scenario of scenarios) {
      for (const card of await scenarioCards(scenario, ruleSet)) {
        const suggestions = (card.suggestions ?? []).map((suggestion) => suggestion.label);
        // Findings are a fact's label (checked above) and this patient's data (an age of 70 is not a threshold).
        const prose = (card.detail ?? '').replace(
          /^ *- .*$|^\*\*(Also checked|No record of|Could not be checked).*$/gm,
          '',
        );
        texts.push({
          where: `card of ${scenario.name}`,
          text: [card.summary, prose, card.source.topic?.display, ...suggestions].join('\n'),
        });
      }
    }
    expect(texts.length).toBeGreaterThan(scenarios.length);

    const printed = old.flatMap(({ name, patterns }) =>
      texts.flatMap(({ where, text }) =>
        patterns.flatMap((pattern) => {
          // A quotation of a guideline is verbatim, its numbers included; the service's own wording is not quoted.
          const found = pattern.exec(text.replace(/"[^"\n]*"|“[^”\n]*”/g, '""'));
          return found ? [`${name}: "${text.slice(Math.max(0, found.index - 60), found.index + 40)}" in ${where}`] : [];
        }),
      ),
    );
    expect(printed).toEqual([]);
    const unfilled = texts.filter(({ text }) => text.includes('{{param.')).map(({ where }) => where);
    expect(unfilled).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
