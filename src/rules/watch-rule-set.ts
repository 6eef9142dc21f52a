import { watch } from 'chokidar';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { formatProblem } from './load-rule-set';
import type { ReloadResult, RuleSetHolder } from './rule-set-holder';
import { ruleReloads } from '../metrics';

/** Reloads and logs the outcome, naming the files that changed, in the same words `rules check` uses. */
export function reloadAndLog(holder: RuleSetHolder, logger: Logger, trigger: string): ReloadResult {
  const previous = holder.current().version;
  const result = holder.reload();
  ruleReloads.inc({ result: result.status });
  if (result.status === 'replaced') {
    logger.info(
      { event: 'rules-reloaded', trigger, previous, version: result.version, changedFiles: result.changedFiles },
      'rule set replaced',
    );
  }
  if (result.status === 'rejected') {
    logger.error(
      {
        event: 'rules-rejected',
        trigger,
        version: result.version,
        changedFiles: result.changedFiles,
        problems: result.problems.map(formatProblem),
      },
      'rule set change rejected; still serving the previous version',
    );
  }
  return result;
}

export interface WatchOptions {
  /** Wait this long after the last file event before reloading: editors and git write a file in several steps. */
  debounceMs: number;
  /** Every this many ms, compare the files' content hash with the last load and reload if it differs; 0 = never. */
  pollMs: number;
}

/**
 * Reloads the rule set when its files change. chokidar follows files that are replaced rather than edited in place
 * (sed -i, git checkout, editors' safe write), renamed, deleted and re-created; the periodic content-hash check is the
 * backstop for changes no file event reports, such as a Kubernetes ConfigMap's `..data` symlink swap. Returns a
 * function that stops watching.
 */
export function watchRuleSet(
  holder: RuleSetHolder,
  folders: string[],
  logger: Logger,
  { debounceMs, pollMs }: WatchOptions,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = (trigger: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => reloadAndLog(holder, logger, trigger), debounceMs);
  };
  const existing = [...new Set(folders.map((folder) => path.resolve(folder)))].filter((folder) =>
    fs.existsSync(folder),
  );
  const watcher = watch(existing, { ignoreInitial: true, followSymlinks: true });
  watcher.on('all', () => schedule('file change'));
  // Events before the initial scan ends are not reported: a change made since the set was loaded is caught here.
  watcher.on('ready', () => {
    if (holder.filesChanged()) schedule('file change');
  });
  watcher.on('error', (error) => logger.warn({ event: 'rules-watch-error', error: String(error) }, 'file watch error'));
  const poller =
    pollMs > 0
      ? setInterval(() => {
          if (holder.filesChanged()) schedule('content check');
        }, pollMs)
      : undefined;
  poller?.unref();
  return () => {
    clearTimeout(timer);
    clearInterval(poller);
    void watcher.close();
  };
}
