import type { FileProblem } from '../json-file';
import { loadRuleSet, RuleSetError, type RuleSet } from './load-rule-set';
import { changedFiles, fileHashes, versionOf, type RuleSetSource } from './rule-set-version';

export interface RejectedReload {
  at: string;
  /** The files that differed from the serving set when the reload was refused. */
  changedFiles: string[];
  problems: FileProblem[];
}

export interface AcceptedReload {
  at: string;
  changedFiles: string[];
}

export type ReloadResult =
  | { status: 'unchanged'; version: string }
  | { status: 'replaced'; version: string; changedFiles: string[] }
  | { status: 'rejected'; version: string; changedFiles: string[]; problems: FileProblem[] };

/**
 * The live rule set. A request takes `current()` once and keeps that object to the end, so a reload that
 * swaps in a new set never changes the rules under a request already running.
 */
export class RuleSetHolder {
  private rejected: RejectedReload | undefined;
  private accepted: AcceptedReload | undefined;
  /** The files' hashes at the last load attempt, good or bad: what the files on disk are compared with. */
  private attempted: Record<string, string>;

  constructor(
    private live: RuleSet,
    private readonly source?: RuleSetSource,
  ) {
    this.attempted = live.fileHashes;
  }

  /** The holder of the set in these folders, for this profile, reloadable from them. */
  static load(source: RuleSetSource): RuleSetHolder {
    return new RuleSetHolder(loadRuleSet(source.rulesDir, source.valueSetsDir, source.rulesProfile), source);
  }

  current(): RuleSet {
    return this.live;
  }

  /**
   * The refused reload that still stands (the files on disk are still invalid), if any: shown by /readyz and
   * /rules.
   */
  lastRejected(): RejectedReload | undefined {
    return this.rejected;
  }

  /** The last reload that replaced the set, if any: when, and which files it changed. */
  lastAccepted(): AcceptedReload | undefined {
    return this.accepted;
  }

  /** Whether the files on disk differ from those last loaded or refused: the periodic backstop's question. */
  filesChanged(): boolean {
    if (!this.source) return false;
    return versionOf(fileHashes(this.source)) !== versionOf(this.attempted);
  }

  /**
   * Loads the set from disk again; an invalid set never replaces the working one. Files that load cleanly clear a
   * standing rejection, also when they are back to the serving version.
   */
  reload(): ReloadResult {
    if (!this.source) throw new Error('this rule set was not loaded from disk');
    try {
      const next = loadRuleSet(this.source.rulesDir, this.source.valueSetsDir, this.source.rulesProfile);
      this.attempted = next.fileHashes;
      this.rejected = undefined;
      if (next.version === this.live.version) return { status: 'unchanged', version: next.version };
      const changed = changedFiles(this.live.fileHashes, next.fileHashes);
      this.live = next;
      this.accepted = { at: new Date().toISOString(), changedFiles: changed };
      return { status: 'replaced', version: next.version, changedFiles: changed };
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error;
      this.attempted = fileHashes(this.source);
      const changed = changedFiles(this.live.fileHashes, this.attempted);
      this.rejected = { at: new Date().toISOString(), changedFiles: changed, problems: error.problems };
      return { status: 'rejected', version: this.live.version, changedFiles: changed, problems: error.problems };
    }
  }
}
