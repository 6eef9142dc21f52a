import type { Facts } from '../clinical/computed-fact';
import type { FactCatalogue } from '../clinical/facts';
import { factLabel, formatFact } from '../cds/cards/describe-facts';
import { isNumericOperator, OPERATORS } from '../rules/condition-tree';
import type { EvaluatedCondition } from '../rules/evaluate';
import {
  isComparison,
  isFactReference,
  isParameterReference,
  type Comparison,
  type RuleCondition,
  type ParameterSpec,
} from '../rules/rule-pack';

/**
 * A rule's `when` in words, for the catalogue (GET /rules) and the `rules explain` CLI:
 * "Latest pain score (0–10) ≥ physiotherapyMinPain (7)", "any of: …", "none of: …".
 */

/** What a comparison compares the fact with. */
export type ComparedWith =
  | { kind: 'value'; text: string }
  | { kind: 'parameter'; name: string; value: string; defined: boolean; text: string }
  | { kind: 'fact'; fact: string; label: string; text: string };

export interface DescribedComparison {
  type: 'comparison';
  fact: string;
  factLabel: string;
  /** "≥", "is", "is one of", "includes", or ":" for yes/no facts ("Anticoagulant use: yes"). */
  relation: string;
  comparedWith: ComparedWith;
  /** The whole comparison as one line. */
  text: string;
  /** The patient's value in words ("8", "none recorded", "not known (…)"); only when facts were given. */
  actual?: string;
  /** Whether the comparison held; only when an evaluation was given and the engine evaluated it. */
  result?: boolean;
}

export interface DescribedGroup {
  /**
   * all: every child holds; any: at least one; none: no child holds (not + any); not-all: not every child;
   * not: negation.
   */
  type: 'all' | 'any' | 'none' | 'not-all' | 'not';
  /** "all of:", "any of:", "none of:", "not all of:", "not:" */
  text: string;
  children: DescribedCondition[];
  /** Derived from the children's results when an evaluation was given; absent when undecided. */
  result?: boolean;
}

export type DescribedCondition = DescribedComparison | DescribedGroup;

export interface ConditionAnnotations {
  /** Computed facts (computeFacts): each comparison gets the patient's value in words. */
  facts?: Facts;
  /** The engine's evaluated tree for the same condition (RuleOutcome.conditions): each comparison gets its result. */
  evaluated?: EvaluatedCondition;
}

/** Parameter definitions, as in RuleSet.parameterSpecs: their values and units fill in `{"param": …}`. */
export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;

/** What names in a condition mean: the rule set's parameters and facts (a RuleSet is one). */
export interface Vocabulary {
  parameterSpecs: ParameterSpecs;
  facts: FactCatalogue;
}

/**
 * Turns a condition tree into words. Pass `annotations` to show, per comparison, the patient's value
 * (`facts`) and whether it held (`evaluated`); without them the result is the rule as written.
 */
export function describeCondition(
  condition: RuleCondition,
  vocabulary: Vocabulary,
  annotations: ConditionAnnotations = {},
): DescribedCondition {
  return describe(condition, vocabulary, annotations.facts, alignEvaluation(condition, annotations.evaluated));
}

/**
 * The description as indented plain-text lines (for a terminal or a log):
 *   all of:
 *     ✓ Latest pain score (0–10) ≥ physiotherapyMinPain (7) — patient: 8
 * Markers appear only when results are known: ✓ held, ✗ did not hold, ? not evaluated.
 */
export function conditionToText(described: DescribedCondition, indent = '  '): string {
  const withResults = hasResults(described);
  const lines: string[] = [];
  const walk = (node: DescribedCondition, depth: number) => {
    const marker = withResults ? `${node.result === true ? '✓' : node.result === false ? '✗' : '?'} ` : '';
    const actual = node.type === 'comparison' && node.actual !== undefined ? ` — patient: ${node.actual}` : '';
    lines.push(`${indent.repeat(depth)}${marker}${node.text}${actual}`);
    if (node.type !== 'comparison') node.children.forEach((child) => walk(child, depth + 1));
  };
  walk(described, 0);
  return lines.join('\n');
}

function hasResults(node: DescribedCondition): boolean {
  return node.result !== undefined || (node.type !== 'comparison' && node.children.some(hasResults));
}

function describe(
  condition: RuleCondition,
  vocabulary: Vocabulary,
  facts: Facts | undefined,
  evaluated: EvaluatedCondition | undefined,
): DescribedCondition {
  if (isComparison(condition)) return describeComparison(condition, vocabulary, facts, evaluated);
  if ('all' in condition) return group('all', 'all of:', condition.all, vocabulary, facts, evaluated?.all);
  if ('any' in condition) return group('any', 'any of:', condition.any, vocabulary, facts, evaluated?.any);
  const inner = condition.not;
  // "not any" reads as "none of"; "not all" as "not all of"; a negated comparison as "not: …".
  if (!isComparison(inner) && 'any' in inner)
    return negate(group('none', 'none of:', inner.any, vocabulary, facts, evaluated?.not?.any));
  if (!isComparison(inner) && 'all' in inner)
    return negate(group('not-all', 'not all of:', inner.all, vocabulary, facts, evaluated?.not?.all));
  const child = describe(inner, vocabulary, facts, evaluated?.not);
  return withResult(
    { type: 'not', text: 'not:', children: [child] },
    child.result === undefined ? undefined : !child.result,
  );
}

function group(
  type: DescribedGroup['type'],
  text: string,
  conditions: RuleCondition[],
  vocabulary: Vocabulary,
  facts: Facts | undefined,
  evaluated: EvaluatedCondition[] | undefined,
): DescribedGroup {
  const children = conditions.map((child, i) => describe(child, vocabulary, facts, evaluated?.[i]));
  const results = children.map((child) => child.result);
  const every = type === 'all' || type === 'not-all';
  let result: boolean | undefined;
  if (every) result = results.includes(false) ? false : results.every((r) => r === true) ? true : undefined;
  else result = results.includes(true) ? true : results.every((r) => r === false) ? false : undefined;
  return withResult({ type, text, children }, result);
}

/** none / not-all groups are built from the inner any / all; their result is the inner one negated. */
function negate(described: DescribedGroup): DescribedGroup {
  return withResult(
    { ...described, result: undefined },
    described.result === undefined ? undefined : !described.result,
  );
}

function withResult<T extends DescribedCondition>(node: T, result: boolean | undefined): T {
  const copy = { ...node };
  if (result === undefined) delete copy.result;
  else copy.result = result;
  return copy;
}

/** json-rules-engine only takes all/any/not at the root, so evaluate.ts wraps a lone comparison in `all`. */
function alignEvaluation(
  condition: RuleCondition,
  evaluated: EvaluatedCondition | undefined,
): EvaluatedCondition | undefined {
  if (evaluated && isComparison(condition) && evaluated.fact === undefined && evaluated.all?.length === 1)
    return evaluated.all[0];
  return evaluated;
}

function describeComparison(
  comparison: Comparison,
  vocabulary: Vocabulary,
  facts: Facts | undefined,
  evaluated: EvaluatedCondition | undefined,
): DescribedComparison {
  const factLabel = labelOf(comparison.fact, vocabulary);
  const { relation, comparedWith } = relationWords(comparison, vocabulary);
  const text =
    relation === ':' ? `${factLabel}: ${comparedWith.text}` : `${factLabel} ${relation} ${comparedWith.text}`;
  const described: DescribedComparison = {
    type: 'comparison',
    fact: comparison.fact,
    factLabel,
    relation,
    comparedWith,
    text,
  };
  if (facts) described.actual = formatFact(comparison.fact, facts[comparison.fact], vocabulary.facts);
  if (typeof evaluated?.result === 'boolean') described.result = evaluated.result;
  return described;
}

function relationWords(
  comparison: Comparison,
  vocabulary: Vocabulary,
): { relation: string; comparedWith: ComparedWith } {
  const { fact, operator, value } = comparison;
  const definition = vocabulary.facts.get(fact);
  if (isParameterReference(value)) {
    const spec = vocabulary.parameterSpecs[value.param];
    const shown = spec ? withUnit(spec.value, spec.unit) : 'not defined';
    const comparedWith: ComparedWith = {
      kind: 'parameter',
      name: value.param,
      value: shown,
      defined: Boolean(spec),
      text: `${value.param} (${shown})`,
    };
    return { relation: relationFor(operator, spec?.value), comparedWith };
  }
  if (isFactReference(value)) {
    const label = labelOf(value.fact, vocabulary);
    return {
      relation: relationFor(operator, undefined),
      comparedWith: { kind: 'fact', fact: value.fact, label, text: label },
    };
  }
  const yesNo = (operator === 'equal' || operator === 'notEqual') && (typeof value === 'boolean' || value === null);
  if (yesNo) {
    return {
      relation: ':',
      comparedWith: { kind: 'value', text: yesNoWords(operator === 'equal', value, definition?.absentText) },
    };
  }
  const text = Array.isArray(value)
    ? value.map(String).join(', ')
    : typeof value === 'number' && isNumericOperator(operator)
      ? withUnit(value, definition?.unit)
      : String(value);
  return { relation: relationFor(operator, value), comparedWith: { kind: 'value', text } };
}

function relationFor(operator: Comparison['operator'], value: unknown): string {
  switch (operator) {
    case 'in':
      return Array.isArray(value) && value.length === 1 ? 'is' : 'is one of';
    case 'notIn':
      return Array.isArray(value) && value.length === 1 ? 'is not' : 'is none of';
    default:
      return OPERATORS[operator].words;
  }
}

/** equal true → "yes"; equal false → "no" (or the fact's own word, e.g. "none recorded"); null → "not known". */
function yesNoWords(equal: boolean, value: boolean | null, absentText: string | undefined): string {
  const absent = absentText ?? 'no';
  if (value === null) return equal ? 'not known' : 'known';
  if (equal) return value ? 'yes' : absent;
  // notEqual also holds when the fact is not known.
  return value ? `${absent}, or not known` : 'yes, or not known';
}

/** "6 weeks", "40%", "7" (a scale such as "0-10" is left out: the fact label names it). */
function withUnit(value: number | string | boolean, unit: string | undefined): string {
  if (!unit || /^\d+\s*[-–]\s*\d+$/.test(unit)) return String(value);
  return unit === '%' ? `${value}%` : `${value} ${unit}`;
}

/** A fact's label with the parameters it names filled in, so a changed threshold never leaves a stale number. */
export function labelOf(fact: string, vocabulary: Vocabulary): string {
  const values = Object.fromEntries(
    Object.entries(vocabulary.parameterSpecs).map(([name, spec]) => [name, spec.value]),
  );
  return factLabel(fact, values, vocabulary.facts);
}
