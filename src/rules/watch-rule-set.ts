import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { formatProblem } from './load-rule-set';
import type { ReloadResult, RuleSetHolder } from './rule-set-holder';
import { ruleReloads } from '../metrics';

/** Reloads and logs the outcome in the same words `rules check` uses. */
export function reloadAndLog(holder: RuleSetHolder, logger: Logger, trigger: string): ReloadResult {
  const previous = holder.current().version;
  const result = holder.reload();
  ruleReloads.inc({ result: result.status });
  if (result.status === 'replaced') logger.info({ event: 'rules-reloaded', trigger, previous, version: result.version }, 'rule set replaced');
  if (result.status === 'rejected') {
    logger.error(
      { event: 'rules-rejected', trigger, version: result.version, problems: result.problems.map(formatProblem) },
      'rule set change rejected; still serving the previous version',
    );
  }
  return result;
}

/**
 * Watches the rules and ValueSet folders and reloads after edits settle (editors write a file in several
 * steps; the debounce waits for the last). Returns a function that stops watching.
 */
export function watchRuleSet(holder: RuleSetHolder, folders: string[], logger: Logger, debounceMs = 300): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => reloadAndLog(holder, logger, 'file change'), debounceMs);
  };
  const watchers = [...new Set(folders.map((folder) => path.resolve(folder)))]
    .filter((folder) => fs.existsSync(folder))
    .map((folder) => fs.watch(folder, { recursive: true }, schedule));
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
