import fs from 'node:fs';
import path from 'node:path';
import { listJsonFiles } from '../json-file';

/**
 * Rule profiles: a named set of rule packs and parameters layered over the default rule set. The default profile is
 * the rules folder itself; a profile `x` adds `profiles/x/packs/*.json` to its packs, `profiles/x/parameters.json`
 * over its parameters (a parameter named there replaces the default's, a new one is added), and has its own
 * scenarios in `profiles/x/scenarios/`.
 */

export const DEFAULT_PROFILE = 'default';
const PROFILES_FOLDER = 'profiles';
/** A profile's folder name: it appears in a response header and in URLs, so plain lower-case words. */
const PROFILE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The files one profile's rule set is read from, resolved before anything is loaded. */
export interface ProfileFiles {
  packFiles: string[];
  /** The default parameters file, then the profile's when it has one: later files override earlier ones. */
  parameterFiles: string[];
  scenariosDir: string;
}

/** The profile names a rules folder offers: `default` and every folder under `profiles/`. */
export function knownProfiles(rulesDir: string): string[] {
  const dir = path.join(rulesDir, PROFILES_FOLDER);
  const named = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && PROFILE_NAME.test(entry.name))
        .map((entry) => entry.name)
        .sort()
    : [];
  return [DEFAULT_PROFILE, ...named];
}

/** Why `profile` cannot be used with this rules folder, naming where it was asked for; undefined when it can. */
export function unknownProfile(rulesDir: string, profile: string, askedBy: string): string | undefined {
  const known = knownProfiles(rulesDir);
  if (known.includes(profile)) return undefined;
  const folder = path.join(rulesDir, PROFILES_FOLDER);
  return `${askedBy}: no rule profile "${profile}" in ${folder}; known profiles: ${known.join(', ')}`;
}

export function profileFiles(rulesDir: string, profile: string): ProfileFiles {
  const defaults: ProfileFiles = {
    packFiles: listJsonFiles(path.join(rulesDir, 'packs')),
    parameterFiles: [path.join(rulesDir, 'parameters.json')],
    scenariosDir: path.join(rulesDir, 'scenarios'),
  };
  if (profile === DEFAULT_PROFILE) return defaults;
  const dir = path.join(rulesDir, PROFILES_FOLDER, profile);
  const parameters = path.join(dir, 'parameters.json');
  return {
    packFiles: [...defaults.packFiles, ...listJsonFiles(path.join(dir, 'packs'))],
    parameterFiles: fs.existsSync(parameters) ? [...defaults.parameterFiles, parameters] : defaults.parameterFiles,
    scenariosDir: path.join(dir, 'scenarios'),
  };
}
