import type { RuleSet } from './load-rule-set';

/**
 * The live rule set. A request takes `current()` once and keeps that object to the end, so a reload that
 * swaps in a new set never changes the rules under a request already running.
 */
export class RuleSetHolder {
  constructor(private live: RuleSet) {}

  current(): RuleSet {
    return this.live;
  }

  replace(next: RuleSet): void {
    this.live = next;
  }
}
