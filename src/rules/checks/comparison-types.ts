import { forEachLeaf, OPERATORS } from '../condition-tree';
import { didYouMean } from '../did-you-mean';
import { isFactReference, isParameterReference } from '../rule-pack';
import type { RuleCheck } from './rule-check';

/**
 * Each comparison compares values of the right kind: numbers with numeric operators, lists with in, list facts
 * with contains.
 */
export const checkComparisonTypes: RuleCheck = (spec, context, report) => {
  forEachLeaf(
    spec.when,
    (comparison, { path }) => {
      const fact = context.facts?.get(comparison.fact);
      const { operator, value } = comparison;
      const kind = OPERATORS[operator].kind;
      if (isParameterReference(value)) {
        const known = context.parameterSpecs;
        // A parameter of the wrong type is reported once, at parameters.json (checkParameterTypes).
        if (known && !Object.hasOwn(known, value.param)) {
          report(
            `${path}.value.param`,
            'unknown-parameter',
            `parameter "${value.param}" is not defined in rules/parameters.json.` +
              didYouMean(value.param, Object.keys(known)),
          );
        }
      } else if (kind === 'numeric' && !isFactReference(value) && typeof value !== 'number') {
        report(`${path}.value`, 'type-mismatch', `must be a number (or a parameter) for ${operator}`);
      }
      if (kind === 'numeric' && fact && fact.type !== 'number')
        report(
          `${path}.fact`,
          'type-mismatch',
          `"${comparison.fact}" is a ${fact.type}, so ${operator} can never be true`,
        );
      if (kind === 'list' && !Array.isArray(value))
        report(`${path}.value`, 'type-mismatch', `must be a list for ${operator}`);
      if (kind === 'contains' && fact && fact.type !== 'list')
        report(`${path}.fact`, 'type-mismatch', `"${comparison.fact}" is not a list, so ${operator} does not apply`);
    },
    { path: 'when', negated: false },
  );
};
