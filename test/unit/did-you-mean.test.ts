import { didYouMean } from '../../src/rules/did-you-mean';

test('suggests the nearest known name for a typo, and nothing for a name far from all of them', () => {
  const facts = ['bmi', 'painScore', 'pregnant', 'durationClass'];
  expect(didYouMean('bmii', facts)).toBe(' Did you mean "bmi"?');
  expect(didYouMean('painscore', facts)).toBe(' Did you mean "painScore"?');
  expect(didYouMean('durationClas', facts)).toBe(' Did you mean "durationClass"?');
  expect(didYouMean('systolicBloodPressure', facts)).toBe('');
  expect(didYouMean('x', [])).toBe('');
});
