import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { listJsonFiles } from '../json-file';
import { DEFAULT_PROFILE, profileFiles } from './profiles';

/** Where a rule set is read from: the rules folder, the ValueSet folder (CodeSystems sit beside it), the profile. */
export interface RuleSetSource {
  rulesDir: string;
  valueSetsDir: string;
  /** The rule profile (rules/profiles/<name>); the default profile when absent. */
  rulesProfile?: string;
}

/** The rule-set files other than the packs and parameters, in the rules folder. */
export const RULES_FOLDER_FILES = ['override-reasons.json', 'shared.json', 'facts.json'] as const;

/** Every file that makes up a rule set, by absolute path, under the name it has relative to its folder. */
export function ruleSetFiles({
  rulesDir,
  valueSetsDir,
  rulesProfile = DEFAULT_PROFILE,
}: RuleSetSource): Array<{ file: string; name: string }> {
  const profilesDir = path.dirname(valueSetsDir);
  const { packFiles, parameterFiles } = profileFiles(rulesDir, rulesProfile);
  const rulesFiles = [...packFiles, ...parameterFiles, ...RULES_FOLDER_FILES.map((name) => path.join(rulesDir, name))];
  const terminologyFiles = [...listJsonFiles(valueSetsDir), ...listJsonFiles(path.join(profilesDir, 'codesystems'))];
  return [
    ...rulesFiles.map((file) => ({ file, name: `rules/${path.relative(rulesDir, file)}` })),
    ...terminologyFiles.map((file) => ({ file, name: path.relative(profilesDir, file) })),
  ];
}

/**
 * Each file's content hash under its relative name: the same rules give the same hashes wherever they are installed
 * (a laptop, a container, a Kubernetes ConfigMap). A file that cannot be read hashes as missing.
 */
export function fileHashes(source: RuleSetSource): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const { file, name } of ruleSetFiles(source)) {
    try {
      hashes[name] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    } catch {
      hashes[name] = 'missing';
    }
  }
  return hashes;
}

/** The rule-set version: a short hash over every file's name and content hash. */
export function versionOf(hashes: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(hashes).sort()) hash.update(name).update('\0').update(hashes[name]).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** The files added, removed or changed between two sets of hashes, by name. */
export function changedFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}
