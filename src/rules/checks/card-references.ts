import type { RuleCheck } from './rule-check';

/** Names a card refers to exist: order ValueSets, override-reason sets, rules it suppresses. */
export const checkCardReferences: RuleCheck = ({ card }, context, report) => {
  card.suggestions?.forEach((suggestion, i) => {
    if (suggestion.order && context.terminology && !context.terminology.has(suggestion.order))
      report(
        `card.suggestions[${i}].order`,
        `ValueSet "${suggestion.order}" does not exist in fhir-profiles/valuesets`,
      );
  });
  if (card.overrideReasons && !context.overrideReasons[card.overrideReasons])
    report('card.overrideReasons', `set "${card.overrideReasons}" is not defined in rules/override-reasons.json`);
  card.suppresses?.forEach((target, i) => {
    const rule = /^rule:(.+)$/.exec(target)?.[1];
    if (rule && !context.ruleNames.has(rule)) report(`card.suppresses[${i}]`, `no rule is named "${rule}"`);
  });
};
