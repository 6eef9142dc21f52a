import type { RuleSet } from '../rules/load-rule-set';

/** Names the rule set that produced a response, on hook answers and the catalogue: `<version>; profile=<profile>`. */
export const RULE_SET_VERSION_HEADER = 'X-Rule-Set-Version';

export function ruleSetHeaderValue(ruleSet: Pick<RuleSet, 'version' | 'profile'>): string {
  return `${ruleSet.version}; profile=${ruleSet.profile}`;
}
