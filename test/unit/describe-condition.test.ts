import type { Facts } from '../../src/clinical/computed-fact';
import { FACT_DEFINITIONS } from '../../src/clinical/facts';
import { conditionToText, describeCondition } from '../../src/catalogue/describe-condition';
import { evaluateRules } from '../../src/rules/evaluate';
import type { RuleCondition } from '../../src/rules/rule-pack';
import { bundledRuleSet } from '../support/spine-service';

const ruleSet = bundledRuleSet();
const ruleNamed = (name: string) => {
  const rule = ruleSet.rules.find((candidate) => candidate.spec.name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
};

/** Every fact false/unknown except the ones given. */
function factsWith(values: Record<string, Facts[string]['value']>): Facts {
  const facts: Facts = {};
  for (const definition of FACT_DEFINITIONS.values()) {
    facts[definition.id] = {
      value: definition.type === 'boolean' ? false : definition.type === 'list' ? [] : null,
      cites: [],
    };
  }
  for (const [id, value] of Object.entries(values)) facts[id] = { value, cites: [] };
  return facts;
}

describe('describeCondition', () => {
  it('puts a rule in words, with parameter names and values', () => {
    const text = conditionToText(describeCondition(ruleNamed('physiotherapy').spec.when, ruleSet));
    expect(text).toBe(
      [
        'all of:',
        `  ${FACT_DEFINITIONS.get('backPain')?.label}: yes`,
        '  any of:',
        '    Duration class (acute < 4 weeks, subacute 4–12, chronic > 12) is one of subacute, chronic',
        '    Latest pain score (0–10) ≥ physiotherapyMinPain (7)',
        '    Latest disability index (Oswestry, %) > physiotherapyMinDisability (40%)',
      ].join('\n'),
    );
  });

  it('annotates each comparison with the patient value and the engine result (for rules explain)', async () => {
    const facts = factsWith({ backPain: true, durationClass: 'acute', painScore: 8 });
    facts.disabilityIndex = { value: null, cites: [], missing: 'no disability index in the last 90 days' };
    const outcome = (await evaluateRules(ruleSet, 'patient-view', facts)).find(
      (o) => o.rule.spec.name === 'physiotherapy',
    );
    const described = describeCondition(ruleNamed('physiotherapy').spec.when, ruleSet, {
      facts,
      evaluated: outcome?.conditions,
    });
    expect(described.result).toBe(true);
    const text = conditionToText(described);
    expect(text).toContain('✓ all of:');
    expect(text).toContain(
      '✗ Duration class (acute < 4 weeks, subacute 4–12, chronic > 12) ' +
        'is one of subacute, chronic — patient: acute',
    );
    expect(text).toContain('✓ Latest pain score (0–10) ≥ physiotherapyMinPain (7) — patient: 8');
    expect(text).toContain(
      'physiotherapyMinDisability (40%) — patient: not known (no disability index in the last 90 days)',
    );
  });

  it('lines up a lone comparison with the all-wrapper the engine evaluates', async () => {
    const facts = factsWith({ caudaEquina: true });
    const outcome = (await evaluateRules(ruleSet, 'patient-view', facts)).find(
      (o) => o.rule.spec.name === 'cauda-equina',
    );
    const described = describeCondition(ruleNamed('cauda-equina').spec.when, ruleSet, {
      facts,
      evaluated: outcome?.conditions,
    });
    expect(described).toMatchObject({ type: 'comparison', fact: 'caudaEquina', result: true, actual: 'yes' });
  });

  it('reads not-any as "none of" and negates its result', () => {
    const condition: RuleCondition = {
      not: {
        any: [
          { fact: 'pregnant', operator: 'equal', value: true },
          { fact: 'orderedModalities', operator: 'contains', value: 'traction' },
        ],
      },
    };
    const evaluated = {
      not: {
        any: [
          { fact: 'pregnant', result: false },
          { fact: 'orderedModalities', result: false },
        ],
      },
    };
    const described = describeCondition(condition, ruleSet, { evaluated });
    expect(conditionToText(described).split('\n')).toEqual([
      '✓ none of:',
      '  ✗ Currently pregnant: yes',
      '  ✗ Treatments ordered in this hook call includes traction',
    ]);
  });
});
