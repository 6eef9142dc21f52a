import { didYouMean } from '../did-you-mean';
import type { RuleCheck } from './rule-check';
import { unknownValueSetMessage } from './valueset-name';

/** Names a card refers to exist: order ValueSets, override-reason sets, rules it suppresses. */
export const checkCardReferences: RuleCheck = ({ card }, context, report) => {
  card.suggestions?.forEach((suggestion, i) => {
    const { terminology } = context;
    if (suggestion.order && terminology && !terminology.has(suggestion.order)) {
      report(`card.suggestions[${i}].order`, 'unknown-valueset', unknownValueSetMessage(suggestion.order, terminology));
    }
  });
  const sets = context.overrideReasons;
  if (card.overrideReasons && sets && !Object.hasOwn(sets, card.overrideReasons)) {
    report(
      'card.overrideReasons',
      'unknown-override-reasons',
      `set "${card.overrideReasons}" is not defined in rules/override-reasons.json.` +
        didYouMean(card.overrideReasons, Object.keys(sets)),
    );
  }
  card.suppresses?.forEach((target, i) => {
    const rule = /^rule:(.+)$/.exec(target)?.[1];
    const names = context.ruleNames;
    if (rule && names && !names.has(rule))
      report(`card.suppresses[${i}]`, 'unknown-rule', `no rule is named "${rule}".${didYouMean(rule, names)}`);
  });
};
