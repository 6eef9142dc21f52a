import { fillParameters, PARAMETER_PREFIX, placeholderNames } from '../placeholders';
import type { RuleCheck } from './rule-check';

/** CDS Hooks: a card summary is under 140 characters; it must stay so once parameters are filled in. */
const SUMMARY_MAX_LENGTH = 139;

/** `{{fact}}` and `{{param.name}}` placeholders name what exists; a summary names parameters only and stays short. */
export const checkCardPlaceholders: RuleCheck = ({ card }, context, report) => {
  // When parameters.json did not load, its own problem is the one to fix: parameter names are not checked.
  const parameters = context.parameterSpecs;
  const isParameter = (name: string) => name.startsWith(PARAMETER_PREFIX);
  const parameterExists = (name: string) =>
    !parameters || Object.hasOwn(parameters, name.slice(PARAMETER_PREFIX.length));
  const factExists = (name: string) => !context.facts || context.facts.has(name);
  for (const name of placeholderNames(card.detail)) {
    const known = isParameter(name) ? parameterExists(name) : factExists(name);
    if (!known)
      report('card.detail', 'unknown-placeholder', `{{${name}}} names no ${isParameter(name) ? 'parameter' : 'fact'}`);
  }
  // A fact is printed with its unit ("7.4 weeks"): "{{painWeeks}} weeks" would read "7.4 weeks weeks".
  for (const [, name, next] of card.detail.matchAll(/\{\{(\w+)\}\}\s+([^\s.,;:)]+)/g)) {
    const unit = context.facts?.get(name as string)?.unit;
    if (unit !== undefined && unit === next)
      report(
        'card.detail',
        'repeated-unit',
        `{{${name}}} is printed with its unit (${unit}); remove the "${unit}" after it`,
      );
  }
  for (const name of placeholderNames(card.evidence.statement)) {
    if (!isParameter(name) || !parameterExists(name))
      report(
        'card.evidence.statement',
        'unknown-placeholder',
        `{{${name}}}: evidence may only name parameters ({{param.name}}) that exist`,
      );
  }
  for (const name of placeholderNames(card.summary)) {
    if (!isParameter(name) || !parameterExists(name))
      report(
        'card.summary',
        'unknown-placeholder',
        `{{${name}}}: a summary may only name parameters ({{param.name}}) that exist`,
      );
  }
  if (!parameters) return;
  const values = Object.fromEntries(Object.entries(parameters).map(([name, p]) => [name, p.value]));
  const length = fillParameters(card.summary, values).length;
  if (length > SUMMARY_MAX_LENGTH)
    report(
      'card.summary',
      'summary-too-long',
      `is ${length} characters once parameters are filled in; it must stay under 140`,
    );
};
