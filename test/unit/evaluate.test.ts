import { known, notKnown, type Facts } from '../../src/clinical/computed-fact';
import type { HookName } from '../../src/cds/protocol/hooks';
import type { RuleSet } from '../../src/rules/load-rule-set';
import { evaluateRules } from '../../src/rules/evaluate';
import type { Comparison, LoadedRule, RuleCondition } from '../../src/rules/rule-pack';

/**
 * Rule evaluation over facts: which rules of a hook run, parameters in place of `{ "param": … }`, a lone comparison
 * as a rule's whole condition, the outcome of each rule in rule order, and no fact left undefined.
 */

function rule(position: number, name: string, when: RuleCondition, hooks?: HookName[]): LoadedRule {
  return {
    pack: 'test',
    position,
    spec: {
      name,
      description: name,
      ...(hooks ? { hooks } : {}),
      when,
      card: {
        kind: 'step',
        indicator: 'info',
        summary: name,
        detail: name,
        evidence: { statement: 's', strength: 'x' },
        source: { label: 'l', url: 'https://example.org' },
      },
    },
  };
}

/** Evaluation reads only the rules and the parameter values of a rule set. */
const ruleSetOf = (rules: LoadedRule[], parameters: RuleSet['parameters'] = {}) =>
  ({ rules, parameters }) as Pick<RuleSet, 'rules' | 'parameters'> as RuleSet;

const painAtLeast = (value: Comparison['value']): Comparison => ({
  fact: 'painScore',
  operator: 'greaterThanInclusive',
  value,
});
const fired = (outcomes: Awaited<ReturnType<typeof evaluateRules>>) =>
  outcomes.map((outcome) => [outcome.rule.spec.name, outcome.fired]);

test('every rule of the hook gives an outcome, fired or not, in rule order', async () => {
  const ruleSet = ruleSetOf([
    rule(0, 'high-pain', { all: [painAtLeast(9)] }),
    rule(1, 'some-pain', { all: [painAtLeast(1)] }),
    rule(2, 'no-chronic', { not: { fact: 'durationClass', operator: 'equal', value: 'chronic' } }),
  ]);
  const facts: Facts = { painScore: known(5), durationClass: known('chronic') };
  expect(fired(await evaluateRules(ruleSet, 'patient-view', facts))).toEqual([
    ['high-pain', false],
    ['some-pain', true],
    ['no-chronic', false],
  ]);
});

test('a rule limited to other hooks is not evaluated', async () => {
  const ruleSet = ruleSetOf([
    rule(0, 'everywhere', { all: [painAtLeast(1)] }),
    rule(1, 'signing-only', { all: [painAtLeast(1)] }, ['order-sign']),
    rule(2, 'viewing-and-selecting', { all: [painAtLeast(1)] }, ['patient-view', 'order-select']),
  ]);
  const facts: Facts = { painScore: known(5) };
  expect(fired(await evaluateRules(ruleSet, 'patient-view', facts))).toEqual([
    ['everywhere', true],
    ['viewing-and-selecting', true],
  ]);
  expect(fired(await evaluateRules(ruleSet, 'order-sign', facts))).toEqual([
    ['everywhere', true],
    ['signing-only', true],
  ]);
});

test('a parameter reference compares against the value of the parameter', async () => {
  const ruleSet = ruleSetOf(
    [rule(0, 'by-parameter', { any: [{ not: painAtLeast({ param: 'minPain' }) }, painAtLeast({ param: 'minPain' })] })],
    { minPain: 7 },
  );
  const [outcome] = await evaluateRules(ruleSet, 'patient-view', { painScore: known(7) });
  expect(outcome.fired).toBe(true);
  expect(outcome.conditions.any?.[1]).toMatchObject({ fact: 'painScore', value: 7, factResult: 7, result: true });
  const [low] = await evaluateRules(ruleSet, 'patient-view', { painScore: known(6) });
  expect(low.conditions.any?.[0].not).toMatchObject({ value: 7, factResult: 6, result: false });
});

test('a lone comparison is evaluated as the whole condition', async () => {
  const ruleSet = ruleSetOf([rule(0, 'lone', painAtLeast(3))]);
  const [high] = await evaluateRules(ruleSet, 'patient-view', { painScore: known(3) });
  expect(high.fired).toBe(true);
  expect(high.conditions).toMatchObject({ all: [{ fact: 'painScore', factResult: 3, result: true }] });
  const [low] = await evaluateRules(ruleSet, 'patient-view', { painScore: known(2) });
  expect(low.fired).toBe(false);
});

test('an unknown fact value is compared as null, never as a number that passes', async () => {
  const ruleSet = ruleSetOf([rule(0, 'low-pain', { all: [{ fact: 'painScore', operator: 'lessThan', value: 4 }] })]);
  const [outcome] = await evaluateRules(ruleSet, 'patient-view', { painScore: notKnown('no pain score') });
  expect(outcome.fired).toBe(false);
  expect(outcome.conditions.all?.[0]).toMatchObject({ factResult: null, result: false });
});

test('a rule naming a fact that was not computed is an error, not a rule that quietly does not fire', async () => {
  const ruleSet = ruleSetOf([rule(0, 'needs-pain', { all: [painAtLeast(1)] })]);
  await expect(evaluateRules(ruleSet, 'patient-view', {})).rejects.toThrow(/painScore/);
});

test('the same rule set evaluates again with other facts and hooks', async () => {
  const ruleSet = ruleSetOf([rule(0, 'pain', { all: [painAtLeast({ param: 'minPain' })] })], { minPain: 5 });
  const runs = await Promise.all(
    [9, 1, 5].map((pain) => evaluateRules(ruleSet, 'order-select', { painScore: known(pain) })),
  );
  expect(runs.map((outcomes) => outcomes[0].fired)).toEqual([true, false, true]);
});
