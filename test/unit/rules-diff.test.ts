import type { Card } from '../../src/cds/types';
import { compareResponses } from '../../src/cli/rules-diff';

const card = (rule: string, indicator: Card['indicator'], summary: string): Card => ({
  uuid: `${rule}-uuid`,
  summary,
  indicator,
  source: { label: 'x', topic: { code: rule } },
});

test('cards are matched by rule: appeared, disappeared, changed in indicator or summary; uuids do not count', () => {
  const before = [card('a', 'info', 'A'), card('b', 'info', 'B'), card('c', 'warning', 'C'), card('d', 'info', 'D')];
  const after = [
    card('a', 'critical', 'A'),
    card('c', 'warning', 'C, reworded'),
    { ...card('d', 'info', 'D'), uuid: 'another' },
    card('e', 'info', 'E'),
  ];
  expect(compareResponses(before, after)).toEqual([
    { rule: 'a', change: 'changes', before: before[0], after: after[0] },
    { rule: 'b', change: 'disappears', before: before[1] },
    { rule: 'c', change: 'changes', before: before[2], after: after[1] },
    { rule: 'e', change: 'appears', after: after[3] },
  ]);
});

test('a rule whose advice moves into a card group reads as its card changing (matched by the rules behind it)', () => {
  const grouped = (rules: string[], summary: string): Card => ({
    ...card('not-recommended', 'info', summary),
    extension: { 'spine-cds.rules': rules },
  });
  const before = [card('traction-discussion', 'info', 'Traction'), card('no-fusion', 'info', 'Fusion')];
  const after = [grouped(['traction-discussion', 'no-fusion'], 'Not recommended: traction, fusion')];
  expect(compareResponses(before, after)).toEqual([
    { rule: 'traction-discussion', change: 'changes', before: before[0], after: after[0] },
    { rule: 'no-fusion', change: 'changes', before: before[1], after: after[0] },
  ]);
});
