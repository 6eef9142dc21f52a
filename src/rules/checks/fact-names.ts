import type { FileProblemCode } from '../../file-problem-codes';
import type { FactCatalogue } from '../../clinical/facts';
import { forEachLeaf } from '../condition-tree';
import { didYouMean } from '../did-you-mean';
import { isFactReference, type Comparison } from '../rule-pack';
import type { SharedFile, WrittenCondition, WrittenRule } from '../shared-definitions';

type Problem = { path: string; code: FileProblemCode; message: string };

/**
 * Fact names as written (before shared definitions are expanded, so a mistake in shared.json is reported there,
 * once): the schema accepts any name, since facts may be declared in rules/facts.json; here they must exist.
 */
export function unknownFactsInRule(rule: WrittenRule, catalogue: FactCatalogue): Problem[] {
  const problems = unknownFactsInCondition(rule.when, 'when', catalogue);
  rule.card.checks?.forEach((check, i) => {
    if (typeof check === 'string') problems.push(...unknownFact(check, `card.checks[${i}]`, catalogue));
  });
  return problems;
}

export function unknownFactsInShared(shared: SharedFile, catalogue: FactCatalogue): Problem[] {
  return [
    ...Object.entries(shared.conditions).flatMap(([name, { when }]) =>
      unknownFactsInCondition(when, `conditions.${name}.when`, catalogue),
    ),
    ...Object.entries(shared.checkLists).flatMap(([name, list]) =>
      list.facts.flatMap((fact, i) => unknownFact(fact, `checkLists.${name}.facts[${i}]`, catalogue)),
    ),
    ...Object.keys(shared.statements.names).flatMap((fact) => unknownFact(fact, `statements.names.${fact}`, catalogue)),
  ];
}

function unknownFactsInCondition(when: WrittenCondition, root: string, catalogue: FactCatalogue): Problem[] {
  const problems: Problem[] = [];
  forEachLeaf(
    when,
    (leaf, { path }) => {
      if ('shared' in leaf) return;
      const comparison = leaf as Comparison;
      problems.push(...unknownFact(comparison.fact, `${path}.fact`, catalogue));
      if (isFactReference(comparison.value))
        problems.push(...unknownFact(comparison.value.fact, `${path}.value.fact`, catalogue));
    },
    { path: root, negated: false },
  );
  return problems;
}

function unknownFact(name: string, path: string, catalogue: FactCatalogue): Problem[] {
  if (catalogue.has(name)) return [];
  return [
    {
      path,
      code: 'unknown-fact',
      message:
        `"${name}" is unknown.${didYouMean(name, catalogue.keys())} ` +
        'A fact is built in (the schema and the catalogue list them) or declared in rules/facts.json',
    },
  ];
}
