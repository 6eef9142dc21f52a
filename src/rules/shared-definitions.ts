import type { OrderModality } from '../clinical/draft-orders';
import type { ValueSetLists } from '../clinical/facts/definition';
import type { FileProblemCode } from '../file-problem-codes';
import { forEachLeaf, mapLeaves, type ConditionTree } from './condition-tree';
import type { CardGroupSpec, Comparison, RuleCondition, RuleSpec } from './rule-pack';

/** rules/shared.json: conditions and check lists several rules use, defined once; the ValueSet lists code reads. */
export interface SharedFile {
  conditions: Record<string, { description: string; when: RuleCondition }>;
  checkLists: Record<string, { description: string; facts: string[] }>;
  statements: ContraindicationStatements;
  cardGroups?: Record<string, CardGroupSpec>;
  /** Lists of ValueSets the built-in facts read, by name (REQUIRED_VALUESET_LISTS). */
  valueSetLists: Record<string, { description: string; valueSets: string[] }>;
  /** Which order ValueSet makes a draft order belong to which modality. */
  orderModalities: OrderModality[];
}

/** How a card about a modality states the contraindications to it (rules/shared.json, `statements`). */
export interface ContraindicationStatements {
  /** On an order hook, said instead of suggesting an order equivalent to a draft: `{{order}}` names the draft. */
  orderPlaced?: string;
  /** The same when the suggestion asks for a `{{priority}}` the draft lacks. */
  orderPlacedWithPriority?: string;
  /** Wording for findings of critical contraindication rules, with `{{findings}}`. */
  absolute: string;
  relative: string;
  /** Short name of each finding by fact id; `{{value}}` is the fact's value, `{{fact}}` another fact's. */
  names: Record<string, string>;
  /** Short name of each modality: what a summary keeps when its own text and the names would not fit. */
  modalities: Record<string, string>;
}

/** As written in a pack: `when` may name shared conditions, `checks` may name check lists. */
export type WrittenCondition = ConditionTree<Comparison | { shared: string }>;
export type WrittenCheck = string | { list: string };
export type WrittenRule = Omit<RuleSpec, 'when' | 'card'> & {
  when: WrittenCondition;
  card: Omit<RuleSpec['card'], 'checks'> & { checks?: WrittenCheck[] };
};

export interface Expansion {
  spec: RuleSpec;
  /** Paths (from the rule) of references to shared definitions that do not exist. */
  unknown: Array<{ path: string; code: FileProblemCode; message: string }>;
}

/**
 * Replaces references to shared definitions by their content, so that evaluation, cards, the catalogue and
 * `rules explain` all see plain conditions and fact lists.
 */
export function expandRule(rule: WrittenRule, shared: SharedFile): Expansion {
  const unknown: Expansion['unknown'] = [];
  const expandCondition = (condition: WrittenCondition, root: string): RuleCondition =>
    mapLeaves(
      condition,
      (leaf, where) => {
        if (!('shared' in leaf)) return leaf;
        const definition = shared.conditions[leaf.shared];
        if (!definition)
          unknown.push({
            path: `${where}.shared`,
            code: 'unknown-shared-definition',
            message: `no shared condition "${leaf.shared}" in rules/shared.json`,
          });
        return definition?.when ?? { all: [] };
      },
      root,
    );
  const checks = rule.card.checks?.flatMap((check, i) => {
    if (typeof check === 'string') return [check];
    const list = shared.checkLists[check.list];
    if (!list)
      unknown.push({
        path: `card.checks[${i}].list`,
        code: 'unknown-shared-definition',
        message: `no check list "${check.list}" in rules/shared.json`,
      });
    return list?.facts ?? [];
  });
  const { checks: _written, ...card } = rule.card;
  return {
    spec: {
      ...rule,
      when: expandCondition(rule.when, 'when'),
      card: { ...card, ...(checks ? { checks: [...new Set(checks)] } : {}) },
    },
    unknown,
  };
}

/** A shared condition may not name another: one level keeps the files readable and rules out cycles. */
export function nestedSharedReferences(
  shared: SharedFile,
): Array<{ path: string; code: FileProblemCode; message: string }> {
  const found: Array<{ path: string; code: FileProblemCode; message: string }> = [];
  for (const [name, definition] of Object.entries(shared.conditions)) {
    forEachLeaf(
      definition.when as WrittenCondition,
      (leaf, { path }) => {
        if ('shared' in leaf)
          found.push({
            path,
            code: 'nested-shared-condition',
            message: 'a shared condition cannot name another shared condition',
          });
      },
      { path: `conditions.${name}.when`, negated: false },
    );
  }
  return found;
}

/** The lists by name; checkValueSetLists has reported any the facts need that is missing. */
export function valueSetListsOf(shared: SharedFile): ValueSetLists {
  const lists: Record<string, readonly string[]> = Object.fromEntries(
    Object.entries(shared.valueSetLists).map(([name, list]) => [name, list.valueSets]),
  );
  return lists as ValueSetLists;
}
