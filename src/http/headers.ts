/** Names the rule set that produced a response (its content hash), on hook answers and the catalogue. */
export const RULE_SET_VERSION_HEADER = 'X-Rule-Set-Version';
