/**
 * A rule's `when`: `all` / `any` / `not` groups over leaves. The leaves are comparisons once a rule is loaded, and
 * comparisons or `{ "shared": name }` references as written in a pack. Every module that reads a condition tree
 * (loading checks, shared definitions, evaluation, the catalogue) walks it with these two functions.
 */
export type ConditionTree<Leaf> =
  { all: ConditionTree<Leaf>[] } | { any: ConditionTree<Leaf>[] } | { not: ConditionTree<Leaf> } | Leaf;

/**
 * Where a leaf sits: its JSON path from the root given by the caller, and whether an odd number of `not`s enclose
 * it.
 */
export interface LeafPosition {
  path: string;
  negated: boolean;
}

type Group<Leaf> = Exclude<ConditionTree<Leaf>, Leaf>;

function isGroup<Leaf extends object>(node: ConditionTree<Leaf>): node is Group<Leaf> {
  return 'all' in node || 'any' in node || 'not' in node;
}

/** Calls `visit` for every leaf, depth first, in the order written. */
export function forEachLeaf<Leaf extends object>(
  node: ConditionTree<Leaf>,
  visit: (leaf: Leaf, position: LeafPosition) => void,
  position: LeafPosition = { path: '', negated: false },
): void {
  if (!isGroup(node)) {
    visit(node as Leaf, position);
    return;
  }
  const at = (key: string, negated = position.negated): LeafPosition => ({
    path: position.path ? `${position.path}.${key}` : key,
    negated,
  });
  if ('all' in node) node.all.forEach((child, i) => forEachLeaf(child, visit, at(`all[${i}]`)));
  else if ('any' in node) node.any.forEach((child, i) => forEachLeaf(child, visit, at(`any[${i}]`)));
  else forEachLeaf(node.not, visit, at('not', !position.negated));
}

/** The same tree with every leaf replaced by what `replace` returns for it (a leaf or a whole subtree). */
export function mapLeaves<From extends object, To extends object>(
  node: ConditionTree<From>,
  replace: (leaf: From, path: string) => ConditionTree<To>,
  path = '',
): ConditionTree<To> {
  const child = (key: string) => (path ? `${path}.${key}` : key);
  if (!isGroup(node)) return replace(node as From, path);
  if ('all' in node) return { all: node.all.map((c, i) => mapLeaves(c, replace, child(`all[${i}]`))) };
  if ('any' in node) return { any: node.any.map((c, i) => mapLeaves(c, replace, child(`any[${i}]`))) };
  return { not: mapLeaves(node.not, replace, child('not')) };
}

/**
 * The one table of comparison operators: what kind of value each compares, how it reads in words, and whether it is
 * also true for a fact that is not known (which the loader refuses: missing data must never read as normal).
 */
interface OperatorSpec {
  kind: 'numeric' | 'equality' | 'list' | 'contains';
  words: string;
  trueWhenUnknown: boolean;
}

export const OPERATORS = {
  lessThan: { kind: 'numeric', words: '<', trueWhenUnknown: false },
  lessThanInclusive: { kind: 'numeric', words: '≤', trueWhenUnknown: false },
  greaterThan: { kind: 'numeric', words: '>', trueWhenUnknown: false },
  greaterThanInclusive: { kind: 'numeric', words: '≥', trueWhenUnknown: false },
  equal: { kind: 'equality', words: 'is', trueWhenUnknown: false },
  notEqual: { kind: 'equality', words: 'is not', trueWhenUnknown: true },
  in: { kind: 'list', words: 'is one of', trueWhenUnknown: false },
  notIn: { kind: 'list', words: 'is none of', trueWhenUnknown: true },
  contains: { kind: 'contains', words: 'includes', trueWhenUnknown: false },
  doesNotContain: { kind: 'contains', words: 'does not include', trueWhenUnknown: false },
} as const satisfies Record<string, OperatorSpec>;

export type Operator = keyof typeof OPERATORS;

const operatorSpec = (operator: string | undefined): OperatorSpec | undefined =>
  // The whole condition forced `true` would only let inherited members through (toString, constructor…): having
  // no `kind`, they still read as no operator.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  operator !== undefined && Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator as Operator] : undefined;

export const isNumericOperator = (operator: string | undefined): boolean => operatorSpec(operator)?.kind === 'numeric';

/** "≥" for a numeric operator; undefined for the others, whose words depend on the compared value. */
export const numericSymbol = (operator: string | undefined): string | undefined =>
  operatorSpec(operator)?.kind === 'numeric' ? operatorSpec(operator)?.words : undefined;
