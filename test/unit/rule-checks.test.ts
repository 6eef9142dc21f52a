import { FACT_DEFINITIONS } from '../../src/clinical/facts';
import { checkCardPlaceholders } from '../../src/rules/checks/card-placeholders';
import { checkCardReferences } from '../../src/rules/checks/card-references';
import { checkComparisonTypes } from '../../src/rules/checks/comparison-types';
import { checkModalityNames } from '../../src/rules/checks/modality-names';
import { runRuleChecks, type RuleCheck, type RuleCheckContext } from '../../src/rules/checks/rule-check';
import { checkUnknownData } from '../../src/rules/checks/unknown-data';
import type { Terminology } from '../../src/fhir/terminology';
import { checkParameterTypes } from '../../src/rules/checks/parameter-types';
import type { CardSpec, RuleCondition, LoadedRule, RuleSpec } from '../../src/rules/rule-pack';

/** Each load-time check alone, on a rule built here: which problems it reports, at which path. */

const card: CardSpec = {
  kind: 'step',
  indicator: 'info',
  summary: 'Refer for physiotherapy',
  detail: 'Pain {{painScore}} of at least {{param.minPain}}.',
  evidence: { statement: 'Exercise helps.', strength: 'strong' },
  source: { label: 'ACP', url: 'https://example.org' },
};
const context: RuleCheckContext = {
  file: 'rules/packs/test.json',
  rule: 'r',
  index: 2,
  parameterSpecs: {
    minPain: { value: 7, description: 'd', source: 's' },
    label: { value: 'text', description: 'd', source: 's' },
  },
  overrideReasons: { prescribing: [] },
  terminology: {
    has: (id: string) => id === 'physiotherapy-referral',
    valueSetIds: () => ['physiotherapy-referral'],
  } as unknown as Terminology,
  ruleNames: new Set(['other-rule']),
  facts: FACT_DEFINITIONS,
  modalities: new Set(['injection', 'traction']),
};

function problems(check: RuleCheck, when: RuleCondition, cardChanges: Partial<CardSpec> = {}): string[] {
  const spec: RuleSpec = { name: 'r', description: 'd', when, card: { ...card, ...cardChanges } };
  return runRuleChecks([check], spec, context).map((p) => {
    expect(p.file).toBe('rules/packs/test.json');
    expect(p.rule).toBe('r');
    return `${p.path}: ${p.message}`;
  });
}

describe('comparison types', () => {
  test('a well-typed rule has no problem', () => {
    expect(
      problems(checkComparisonTypes, {
        all: [
          { fact: 'painScore', operator: 'greaterThanInclusive', value: { param: 'minPain' } },
          { fact: 'durationClass', operator: 'in', value: ['subacute', 'chronic'] },
        ],
      }),
    ).toEqual([]);
  });
  test(`an unknown parameter or a text value compared as a \
number (a text parameter is reported by checkParameterTypes)`, () => {
    expect(
      problems(checkComparisonTypes, {
        any: [
          { fact: 'painScore', operator: 'greaterThan', value: { param: 'nope' } },
          { fact: 'painScore', operator: 'greaterThan', value: { param: 'label' } },
          { fact: 'painScore', operator: 'lessThan', value: 'seven' },
        ],
      }),
    ).toEqual([
      'rules[2].when.any[0].value.param: parameter "nope" is not defined in rules/parameters.json.',
      'rules[2].when.any[2].value: must be a number (or a parameter) for lessThan',
    ]);
  });
  test('a yes/no fact compared as a number, a list operator without a list, contains on a non-list fact', () => {
    expect(
      problems(checkComparisonTypes, {
        all: [
          { fact: 'radicularPain', operator: 'greaterThan', value: 1 },
          { fact: 'durationClass', operator: 'in', value: 'acute' },
          { fact: 'painScore', operator: 'contains', value: 3 },
        ],
      }),
    ).toEqual([
      'rules[2].when.all[0].fact: "radicularPain" is a boolean, so greaterThan can never be true',
      'rules[2].when.all[1].value: must be a list for in',
      'rules[2].when.all[2].fact: "painScore" is not a list, so contains does not apply',
    ]);
  });
});

describe('unknown data', () => {
  test('a numeric comparison under one not, and notEqual / notIn, are refused; under two nots it is fine', () => {
    const found = problems(checkUnknownData, {
      all: [
        { not: { fact: 'painScore', operator: 'greaterThan', value: 5 } },
        { not: { not: { fact: 'painScore', operator: 'greaterThan', value: 5 } } },
        { fact: 'durationClass', operator: 'notIn', value: ['acute'] },
        { fact: 'pregnant', operator: 'notEqual', value: true },
      ],
    });
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/^rules\[2\]\.when\.all\[0\]\.not: "not" around "painScore greaterThan …" is also true/);
    expect(found[1]).toBe(
      'rules[2].when.all[2].operator: notIn is also true when durationClass is not known; ' +
        'use equal or in with the values you mean',
    );
    expect(found[2]).toMatch(/^rules\[2\]\.when\.all\[3\]\.operator: notEqual is also true when pregnant/);
  });
});

describe('card references', () => {
  const when: RuleCondition = { fact: 'backPain', operator: 'equal', value: true };
  test('existing order ValueSet, override set and suppressed rule pass', () => {
    expect(
      problems(checkCardReferences, when, {
        suggestions: [{ label: 'Refer', order: 'physiotherapy-referral' }],
        overrideReasons: 'prescribing',
        suppresses: ['rule:other-rule', 'modality:traction'],
      }),
    ).toEqual([]);
  });
  test('an unknown order ValueSet, override set and suppressed rule are each named', () => {
    expect(
      problems(checkCardReferences, when, {
        suggestions: [{ label: 'Refer', order: 'physio' }],
        overrideReasons: 'nope',
        suppresses: ['rule:missing'],
      }),
    ).toEqual([
      'rules[2].card.suggestions[0].order: ValueSet "physio" does not exist in fhir-profiles/valuesets.',
      'rules[2].card.overrideReasons: set "nope" is not defined in rules/override-reasons.json.',
      'rules[2].card.suppresses[0]: no rule is named "missing".',
    ]);
  });
});

describe('card placeholders', () => {
  const when: RuleCondition = { fact: 'backPain', operator: 'equal', value: true };
  test('known facts and parameters pass', () => {
    expect(problems(checkCardPlaceholders, when, { summary: 'Pain at least {{param.minPain}}' })).toEqual([]);
  });
  test('unknown names, a fact in a summary, and a summary that outgrows 139 characters once filled', () => {
    expect(
      problems(checkCardPlaceholders, when, {
        detail: '{{painScor}} {{param.minPai}}',
        summary: `{{painScore}} ${'x'.repeat(120)} {{param.label}}{{param.label}}{{param.label}}`,
      }),
    ).toEqual([
      'rules[2].card.detail: {{painScor}} names no fact',
      'rules[2].card.detail: {{param.minPai}} names no parameter',
      'rules[2].card.summary: {{painScore}}: a summary may only name parameters ({{param.name}}) that exist',
      'rules[2].card.summary: is 147 characters once parameters are filled in; it must stay under 140',
    ]);
  });
});

describe('references into a file that did not load', () => {
  test('are not reported again: the file itself is the problem to fix', () => {
    const spec: RuleSpec = {
      name: 'r',
      description: 'd',
      when: { fact: 'painScore', operator: 'greaterThan', value: { param: 'nope' } },
      card: { ...card, overrideReasons: 'nope', suppresses: ['rule:missing'], detail: '{{param.nope}}' },
    };
    const unloaded = { ...context, parameterSpecs: undefined, overrideReasons: undefined, ruleNames: undefined };
    expect(runRuleChecks([checkComparisonTypes, checkCardReferences, checkCardPlaceholders], spec, unloaded)).toEqual(
      [],
    );
  });
});

describe('parameter types', () => {
  const rule = (name: string, when: RuleCondition): LoadedRule => ({
    pack: 'p',
    position: 0,
    spec: { name, description: 'd', when, card },
  });
  const numeric: RuleCondition = { fact: 'painScore', operator: 'greaterThan', value: { param: 'label' } };
  test('a text parameter compared as a number is one problem naming every rule that compares it', () => {
    const rules = [
      rule('a', numeric),
      rule('b', { all: [numeric, numeric] }),
      rule('c', { fact: 'sex', operator: 'equal', value: { param: 'label' } }),
    ];
    expect(checkParameterTypes(rules, context.parameterSpecs ?? {})).toEqual([
      {
        path: 'parameters.label.value',
        code: 'type-mismatch',
        message: 'must be a number (it is "text"): rules compare it as one ("a", "b")',
      },
    ]);
  });
  test('numbers, unknown parameters and comparisons that are not numeric pass', () => {
    const rules = [
      rule('a', { fact: 'painScore', operator: 'greaterThan', value: { param: 'minPain' } }),
      rule('b', { fact: 'painScore', operator: 'lessThan', value: { param: 'nope' } }),
    ];
    expect(checkParameterTypes(rules, context.parameterSpecs ?? {})).toEqual([]);
  });
});

describe('modality names', () => {
  const NOT_A_MODALITY = 'is not a modality in rules/shared.json orderModalities.';
  test('a modality draft orders can have is no problem, in a single value or a list', () => {
    expect(
      problems(checkModalityNames, {
        all: [
          { fact: 'orderedModalities', operator: 'contains', value: 'injection' },
          { fact: 'orderedModalities', operator: 'in', value: ['injection', 'traction'] },
        ],
      }),
    ).toEqual([]);
  });
  test('a misspelt modality is reported where it is written, with the modality meant', () => {
    expect(
      problems(checkModalityNames, {
        any: [
          { fact: 'orderedModalities', operator: 'contains', value: 'injections' },
          { not: { fact: 'orderedModalities', operator: 'in', value: ['traction', 'tracton'] } },
          { fact: 'painScore', operator: 'greaterThan', value: 5 },
        ],
      }),
    ).toEqual([
      `rules[2].when.any[0].value: "injections" ${NOT_A_MODALITY} Did you mean "injection"?`,
      `rules[2].when.any[1].not.value[1]: "tracton" ${NOT_A_MODALITY} Did you mean "traction"?`,
    ]);
  });
});
