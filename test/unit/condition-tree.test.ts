import {
  forEachLeaf,
  isNumericOperator,
  mapLeaves,
  numericSymbol,
  OPERATORS,
  type LeafPosition,
} from '../../src/rules/condition-tree';
import type { Comparison, RuleCondition } from '../../src/rules/rule-pack';

const pain: Comparison = { fact: 'painScore', operator: 'greaterThanInclusive', value: 7 };
const acute: Comparison = { fact: 'durationClass', operator: 'equal', value: 'acute' };
const tree: RuleCondition = { all: [pain, { not: { any: [acute, { not: pain }] } }] };

test('forEachLeaf visits every comparison in written order with its JSON path and negation', () => {
  const seen: Array<[string, string, boolean]> = [];
  forEachLeaf(tree, (leaf, { path, negated }) => seen.push([leaf.fact, path, negated]), {
    path: 'when',
    negated: false,
  });
  expect(seen).toEqual([
    ['painScore', 'when.all[0]', false],
    ['durationClass', 'when.all[1].not.any[0]', true],
    ['painScore', 'when.all[1].not.any[1].not', false],
  ]);
});

test('without a starting position, paths start at the root and nothing is negated', () => {
  const seen: LeafPosition[] = [];
  forEachLeaf(pain, (_leaf, position) => seen.push(position));
  forEachLeaf({ not: { any: [pain, { not: acute }] } }, (_leaf, position) => seen.push(position));
  expect(seen).toEqual([
    { path: '', negated: false },
    { path: 'not.any[0]', negated: true },
    { path: 'not.any[1].not', negated: false },
  ]);
});

test('mapLeaves keeps the groups and replaces each leaf, passing its path', () => {
  const paths: string[] = [];
  const mapped = mapLeaves(tree, (leaf: Comparison, path) => {
    paths.push(path);
    return leaf.fact === 'durationClass' ? { any: [leaf, leaf] } : { ...leaf, value: 9 };
  });
  expect(paths).toEqual(['all[0]', 'all[1].not.any[0]', 'all[1].not.any[1].not']);
  expect(mapped).toEqual({
    all: [{ ...pain, value: 9 }, { not: { any: [{ any: [acute, acute] }, { not: { ...pain, value: 9 } }] } }],
  });
  expect(tree).toEqual({ all: [pain, { not: { any: [acute, { not: pain }] } }] });
});

test('the operator table classifies every json-rules-engine operator the rules may use', () => {
  expect(Object.keys(OPERATORS).sort()).toEqual(
    [
      'contains',
      'doesNotContain',
      'equal',
      'greaterThan',
      'greaterThanInclusive',
      'in',
      'lessThan',
      'lessThanInclusive',
      'notEqual',
      'notIn',
    ].sort(),
  );
  expect(
    Object.entries(OPERATORS)
      .filter(([, spec]) => spec.trueWhenUnknown)
      .map(([name]) => name),
  ).toEqual(['notEqual', 'notIn']);
  expect(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'].map(numericSymbol)).toEqual([
    '<',
    '≤',
    '>',
    '≥',
  ]);
  expect(isNumericOperator('equal')).toBe(false);
  expect(isNumericOperator('toString')).toBe(false);
  expect(numericSymbol(undefined)).toBeUndefined();
});

test('only the four numeric comparisons are numeric and have a symbol; the others are worded by their value', () => {
  const numeric = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'];
  for (const operator of Object.keys(OPERATORS)) {
    expect([operator, isNumericOperator(operator)]).toEqual([operator, numeric.includes(operator)]);
    if (!numeric.includes(operator)) expect([operator, numericSymbol(operator)]).toEqual([operator, undefined]);
  }
  expect(numericSymbol('toString')).toBeUndefined();
});
