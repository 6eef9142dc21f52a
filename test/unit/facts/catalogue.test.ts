import { known, notKnown } from '../../../src/clinical/computed-fact';
import {
  computeFacts,
  FACT_DEFINITIONS,
  REQUIRED_PARAMETERS,
  uncheckedFacts,
  type FactDefinition,
} from '../../../src/clinical/facts';
import { factContext, patientRecord, ruleSet } from '../../support/fact-record';

/**
 * The catalogue of built-in facts (src/clinical/facts/index.ts): how each reads on a card, what a failing one
 * becomes, and which facts could not be checked (unchecked.ts).
 */

const definition = (id: string, compute: FactDefinition['compute']): FactDefinition => ({
  id,
  label: id,
  type: 'boolean',
  compute,
});

describe('every built-in fact', () => {
  test.each([...FACT_DEFINITIONS.values()].map((fact) => [fact.id, fact] as const))(
    '%s has a label a clinician can read, and words for "none" and a unit when it has them',
    (id, fact) => {
      expect(FACT_DEFINITIONS.get(fact.id)).toBe(fact);
      expect(fact.label.trim().length).toBeGreaterThan(id.length / 2);
      expect(fact.label).not.toBe(id);
      // Long labels are written in pieces: each piece must be there (no stray space, every parenthesis closed).
      expect(fact.label).toBe(fact.label.trim());
      expect(fact.label.split('(').length).toBe(fact.label.split(')').length);
      if (fact.absentText !== undefined) expect(fact.absentText.trim()).not.toBe('');
      if (fact.unit !== undefined) expect(fact.unit.trim()).not.toBe('');
    },
  );

  test('the parameters the facts need are numbers in rules/parameters.json', () => {
    for (const name of REQUIRED_PARAMETERS) expect(typeof ruleSet.parameters[name]).toBe('number');
  });
});

describe('computing the catalogue', () => {
  test('a failing fact is unknown in plain words, the error kept apart; the others still count', () => {
    const catalogue = new Map([
      [
        'broken',
        definition('broken', () => {
          throw new Error('Observation.component is not a list');
        }),
      ],
      ['fine', definition('fine', () => known(true))],
      ['uncheckedFacts', uncheckedFacts],
    ]);
    expect(computeFacts(patientRecord({}), factContext(), catalogue)).toEqual({
      broken: {
        value: null,
        cites: [],
        missing: "could not be worked out from this patient's data",
        error: 'Observation.component is not a list',
      },
      fine: { value: true, cites: [] },
      uncheckedFacts: { value: ['broken'], cites: [] },
    });
  });

  test('unchecked facts are those with a missing-data reason, in catalogue order', () => {
    const computed = { a: notKnown('no data'), b: known(null), c: known(false), d: notKnown('not requested') };
    expect(uncheckedFacts.compute(patientRecord({}), factContext(), computed)).toEqual({
      value: ['a', 'd'],
      cites: [],
    });
    expect(uncheckedFacts.compute(patientRecord({}), factContext())).toEqual({ value: [], cites: [] });
    expect(uncheckedFacts).toMatchObject({ type: 'list', absentText: 'none' });
  });
});
