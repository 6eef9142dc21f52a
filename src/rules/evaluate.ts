import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { Facts } from '../clinical/computed-fact';
import { mapLeaves } from './condition-tree';
import { isComparison, isParameterReference, type Comparison, type RuleCondition, type LoadedRule } from './rule-pack';
import { type HookName } from '../cds/protocol/hooks';
import type { RuleSet } from './load-rule-set';

/** A condition tree after evaluation: json-rules-engine annotates each comparison it evaluated. */
export interface EvaluatedCondition {
  all?: EvaluatedCondition[];
  any?: EvaluatedCondition[];
  not?: EvaluatedCondition;
  fact?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  /** Absent when the engine short-circuited and never evaluated this comparison. */
  result?: boolean;
}

export interface RuleOutcome {
  rule: LoadedRule;
  fired: boolean;
  conditions: EvaluatedCondition;
}

const engineRulesCache = new WeakMap<RuleSet, Map<HookName, RuleProperties[]>>();

/** Rule objects for one hook with parameters substituted, built once per rule set. */
function engineRules(ruleSet: RuleSet, hook: HookName): RuleProperties[] {
  let byHook = engineRulesCache.get(ruleSet);
  // Stryker disable next-line ConditionalExpression: a memo; building the rules again gives the same rules
  if (!byHook) {
    byHook = new Map();
    engineRulesCache.set(ruleSet, byHook);
  }
  let rules = byHook.get(hook);
  // Stryker disable next-line ConditionalExpression: a memo; building the rules again gives the same rules
  if (!rules) {
    rules = ruleSet.rules
      .filter((rule) => !rule.spec.hooks || rule.spec.hooks.includes(hook))
      .map((rule) => ({
        name: rule.spec.name,
        // json-rules-engine only accepts all/any/not at the root; a lone comparison is wrapped.
        conditions: substituteParameters(
          isComparison(rule.spec.when) ? { all: [rule.spec.when] } : rule.spec.when,
          ruleSet.parameters,
        ) as unknown as TopLevelCondition,
        // Stryker disable next-line StringLiteral,ObjectLiteral: the event is never read; outcomes go by rule name
        event: { type: 'card', params: { rule: rule.spec.name } },
      }));
    byHook.set(hook, rules);
  }
  return rules;
}

function substituteParameters(condition: RuleCondition, parameters: RuleSet['parameters']): RuleCondition {
  return mapLeaves(condition, (comparison: Comparison) =>
    isParameterReference(comparison.value) ? { ...comparison, value: parameters[comparison.value.param] } : comparison,
  );
}

/**
 * Runs the rules of one hook over the facts. A new Engine per call: a shared Engine loses rules when runs
 * overlap (json-rules-engine keeps run state on the Engine).
 */
export async function evaluateRules(ruleSet: RuleSet, hook: HookName, facts: Facts): Promise<RuleOutcome[]> {
  // Stryker disable next-line ObjectLiteral: false is also the engine's default; written out because it matters
  const engine = new Engine(engineRules(ruleSet, hook), { allowUndefinedFacts: false });
  const values = Object.fromEntries(Object.entries(facts).map(([id, fact]) => [id, fact.value]));
  const { results, failureResults } = await engine.run(values);
  const byName = new Map(ruleSet.rules.map((rule) => [rule.spec.name, rule]));
  const outcomes = [...results, ...failureResults].map((result) => ({
    rule: byName.get(result.name as string) as LoadedRule,
    fired: result.result,
    conditions: result.conditions as unknown as EvaluatedCondition,
  }));
  return outcomes.sort((a, b) => a.rule.position - b.rule.position);
}
