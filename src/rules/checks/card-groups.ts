import type { FileProblem } from '../../json-file';
import type { OverrideReasons, RulePack } from '../rule-pack';
import type { SharedFile } from '../shared-definitions';

/** Every card group a rule joins exists, and every override reason set a group names. */
export function cardGroupProblems(
  packs: Array<{ file: string; pack?: RulePack }>,
  shared: SharedFile,
  sharedFile: string,
  overrideReasons: OverrideReasons,
  relative: (file: string) => string,
): FileProblem[] {
  const groups = shared.cardGroups ?? {};
  const problems: FileProblem[] = Object.entries(groups)
    .filter(([, group]) => group.overrideReasons !== undefined && !(group.overrideReasons in overrideReasons))
    .map(([name, group]) => ({
      file: sharedFile,
      path: `cardGroups.${name}.overrideReasons`,
      code: 'unknown-override-reasons',
      message: `"${group.overrideReasons}" is not a set in rules/override-reasons.json`,
    }));
  for (const { file, pack } of packs) {
    pack?.rules.forEach((spec, index) => {
      const group = spec.card.group?.name;
      if (group !== undefined && !(group in groups))
        problems.push({
          file: relative(file),
          rule: spec.name,
          path: `rules[${index}].card.group.name`,
          code: 'unknown-shared-definition',
          message: `no card group "${group}" in rules/shared.json (cardGroups)`,
        });
    });
  }
  return problems;
}
