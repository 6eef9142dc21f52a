import { cardGroupProblems } from '../../src/rules/checks/card-groups';
import type { OverrideReasons, RulePack } from '../../src/rules/rule-pack';
import type { SharedFile } from '../../src/rules/shared-definitions';

/** Card groups (rules/shared.json `cardGroups`) and the rules that join them refer only to what exists. */

const shared = {
  cardGroups: {
    'not-recommended': { overrideReasons: 'advice' },
    'second-opinion': { overrideReasons: 'advise' },
  },
} as unknown as SharedFile;
const overrideReasons: OverrideReasons = { advice: [] };
const packWith = (groups: Array<string | undefined>) =>
  ({
    rules: groups.map((name, i) => ({ name: `rule-${i}`, card: name === undefined ? {} : { group: { name } } })),
  }) as unknown as RulePack;
const relative = (file: string) => `rules/${file}`;

test('a group naming an override reason set that does not exist is one problem at its place in shared.json', () => {
  expect(cardGroupProblems([], shared, 'rules/shared.json', overrideReasons, relative)).toEqual([
    {
      file: 'rules/shared.json',
      path: 'cardGroups.second-opinion.overrideReasons',
      code: 'unknown-override-reasons',
      message: '"advise" is not a set in rules/override-reasons.json',
    },
  ]);
});

test('a rule joining a group shared.json does not define is one problem at the rule; no group is fine', () => {
  const packs = [{ file: 'packs/p.json', pack: packWith([undefined, 'not-recommended', 'not-recomended']) }];
  const found = cardGroupProblems(packs, shared, 'rules/shared.json', overrideReasons, relative);
  expect(found.filter((p) => p.file !== 'rules/shared.json')).toEqual([
    {
      file: 'rules/packs/p.json',
      rule: 'rule-2',
      path: 'rules[2].card.group.name',
      code: 'unknown-shared-definition',
      message: 'no card group "not-recomended" in rules/shared.json (cardGroups)',
    },
  ]);
});

test('a pack that did not load adds no problem of its own here', () => {
  const found = cardGroupProblems(
    [{ file: 'packs/broken.json' }],
    shared,
    'rules/shared.json',
    overrideReasons,
    relative,
  );
  expect(found.map((p) => p.file)).toEqual(['rules/shared.json']);
});
