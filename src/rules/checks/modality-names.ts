import { ORDERED_MODALITIES_FACT } from '../../clinical/facts/orders';
import { forEachLeaf } from '../condition-tree';
import { didYouMean } from '../did-you-mean';
import type { RuleCheck } from './rule-check';

/**
 * A rule asking what the hook call orders names a modality that rules/shared.json `orderModalities` gives draft
 * orders: a misspelt or renamed one would never match, and the rule would silently never fire on an order.
 */
export const checkModalityNames: RuleCheck = (spec, context, report) => {
  const { modalities } = context;
  if (!modalities) return;
  forEachLeaf(
    spec.when,
    ({ fact, value }, { path }) => {
      if (fact !== ORDERED_MODALITIES_FACT) return;
      const named = Array.isArray(value) ? value : [value];
      named.forEach((name, i) => {
        if (typeof name !== 'string' || modalities.has(name)) return;
        report(
          Array.isArray(value) ? `${path}.value[${i}]` : `${path}.value`,
          'unknown-modality',
          `"${name}" is not a modality in rules/shared.json orderModalities.${didYouMean(name, modalities)}`,
        );
      });
    },
    { path: 'when', negated: false },
  );
};
