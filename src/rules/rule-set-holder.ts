import type { FileProblem } from '../json-file';
import { loadRuleSet, RuleSetError, type RuleSet } from './load-rule-set';

export interface RejectedReload {
  at: string;
  problems: FileProblem[];
}

export type ReloadResult =
  | { status: 'unchanged' | 'replaced'; version: string }
  | { status: 'rejected'; version: string; problems: FileProblem[] };

/**
 * The live rule set. A request takes `current()` once and keeps that object to the end, so a reload that
 * swaps in a new set never changes the rules under a request already running.
 */
export class RuleSetHolder {
  private rejected: RejectedReload | undefined;

  constructor(
    private live: RuleSet,
    private readonly source?: { rulesDir: string; valueSetsDir: string },
  ) {}

  current(): RuleSet {
    return this.live;
  }

  /** The last reload that was refused since the live set was loaded, if any (shown by /readyz). */
  lastRejected(): RejectedReload | undefined {
    return this.rejected;
  }

  /** Loads the set from disk again; an invalid set never replaces the working one. */
  reload(): ReloadResult {
    if (!this.source) throw new Error('this rule set was not loaded from disk');
    try {
      const next = loadRuleSet(this.source.rulesDir, this.source.valueSetsDir);
      if (next.version === this.live.version) return { status: 'unchanged', version: next.version };
      this.live = next;
      this.rejected = undefined;
      return { status: 'replaced', version: next.version };
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error;
      this.rejected = { at: new Date().toISOString(), problems: error.problems };
      return { status: 'rejected', version: this.live.version, problems: error.problems };
    }
  }
}
