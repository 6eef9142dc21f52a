import fs from 'node:fs';
import path from 'node:path';
import { checkValueSetLists } from '../../src/rules/checks/valueset-lists';
import type { SharedFile } from '../../src/rules/shared-definitions';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/** rules/shared.json `valueSetLists` and `orderModalities`: the ValueSet names code reads, checked at load. */
const shared = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'shared.json'), 'utf8')) as SharedFile;
const { terminology } = bundledRuleSet();

const withLists = (valueSetLists: SharedFile['valueSetLists'], orderModalities = shared.orderModalities) => ({
  valueSetLists,
  orderModalities,
});

test('the bundled lists name only loaded ValueSets and hold every list the facts read', () => {
  expect(checkValueSetLists(shared, terminology)).toEqual([]);
  expect(Object.keys(shared.valueSetLists)).toEqual(expect.arrayContaining(['backPainEpisode', 'structuralBackPain']));
  expect(shared.orderModalities.length).toBeGreaterThan(10);
});

test('a list the facts read that is missing: one problem naming it', () => {
  const { structuralBackPain, ...rest } = shared.valueSetLists;
  expect(structuralBackPain).toBeDefined();
  expect(checkValueSetLists(withLists(rest), terminology)).toEqual([
    { path: 'valueSetLists.structuralBackPain', code: 'missing-valueset-list', message: expect.stringMatching(/need/) },
  ]);
});

test('a misspelt ValueSet in a list: one problem at its place, with the name meant', () => {
  const backPainEpisode = shared.valueSetLists.backPainEpisode;
  const valueSets = backPainEpisode.valueSets.map((name) => (name === 'spinal-stenosis' ? 'spinal-stenossis' : name));
  const index = valueSets.indexOf('spinal-stenossis');
  expect(index).toBeGreaterThanOrEqual(0);
  const problems = checkValueSetLists(
    withLists({ ...shared.valueSetLists, backPainEpisode: { ...backPainEpisode, valueSets } }),
    terminology,
  );
  expect(problems).toEqual([
    {
      path: `valueSetLists.backPainEpisode.valueSets[${index}]`,
      code: 'unknown-valueset',
      message: 'ValueSet "spinal-stenossis" does not exist in fhir-profiles/valuesets. Did you mean "spinal-stenosis"?',
    },
  ]);
});

test('a misspelt order ValueSet: one problem at the modality, with the name meant', () => {
  const modalities = shared.orderModalities.map((entry) =>
    entry.modality === 'opioid' ? { ...entry, valueSet: 'opioid-medications' } : entry,
  );
  const index = modalities.findIndex((entry) => entry.valueSet === 'opioid-medications');
  expect(index).toBeGreaterThanOrEqual(0);
  expect(checkValueSetLists(withLists(shared.valueSetLists, modalities), terminology)).toEqual([
    {
      path: `orderModalities[${index}].valueSet`,
      code: 'unknown-valueset',
      message:
        'ValueSet "opioid-medications" does not exist in fhir-profiles/valuesets. Did you mean "opioid-medication"?',
    },
  ]);
});

test('without loaded ValueSets only the missing lists are reported (the ValueSet problems come first)', () => {
  const { backPainEpisode, ...rest } = shared.valueSetLists;
  expect(backPainEpisode).toBeDefined();
  const broken = withLists(rest, [{ valueSet: 'no-such-valueset', modality: 'traction' }]);
  expect(checkValueSetLists(broken, undefined).map((problem) => problem.code)).toEqual(['missing-valueset-list']);
  expect(checkValueSetLists(broken, terminology).map((problem) => problem.code)).toEqual([
    'missing-valueset-list',
    'unknown-valueset',
  ]);
});
