import { conditionFacts } from '../../../src/clinical/facts/conditions';
import { numberParameter } from '../../../src/clinical/facts/definition';
import {
  codeIn,
  condition,
  describeCodedProblemFacts,
  factContext,
  factOf,
  parameter,
  patientRecord,
  references,
} from '../../support/fact-record';

/**
 * The coded-problem facts (src/clinical/facts/conditions.ts, built by activeCondition in definition.ts): each is true
 * while a condition coded in one of its ValueSets is active, citing every such condition once.
 */

const VALUE_SETS: Record<string, string[]> = {
  bladderOrBowelDysfunction: [
    'urinary-incontinence',
    'neurogenic-bowel-or-bladder',
    'urinary-retention',
    'faecal-incontinence',
  ],
  footDrop: ['foot-drop'],
  motorWeakness: ['motor-weakness'],
  spinalInfection: ['spinal-infection'],
  spinalNeoplasm: ['spinal-neoplasm'],
  infectionSigns: ['infection-sign'],
  nocturnalPain: ['nocturnal-pain'],
  activeMalignancy: ['malignant-neoplasm', 'spinal-neoplasm'],
  palliativeCare: ['palliative-care'],
  vertebralFracture: ['vertebral-fracture'],
  osteoporosisDiagnosed: ['osteoporosis'],
  longTermSteroids: ['long-term-steroid-use'],
  spinalInstability: ['spinal-instability'],
  aorticAneurysm: ['abdominal-aortic-aneurysm', 'ruptured-abdominal-aortic-aneurysm'],
  rupturedAorticAneurysm: ['ruptured-abdominal-aortic-aneurysm'],
  hypertension: ['hypertension'],
  glaucomaOrRetinalDetachment: ['glaucoma-or-retinal-detachment'],
  hernia: ['hernia'],
  obesityDiagnosed: ['obesity', 'severe-obesity'],
  severeObesityDiagnosed: ['severe-obesity'],
  severeKidneyDisease: ['severe-chronic-kidney-disease'],
  pepticUlcerOrBleed: ['peptic-ulcer-or-gi-bleed'],
  heartFailure: ['heart-failure'],
};

test('every coded-problem fact is listed here with its ValueSets', () => {
  expect(conditionFacts.map((fact) => fact.id).sort()).toEqual(Object.keys(VALUE_SETS).sort());
});

describeCodedProblemFacts(VALUE_SETS);

test('a condition coded in two ValueSets of one fact is cited once; two conditions are both cited', () => {
  const both = condition('obesity', { code: { coding: [codeIn('obesity'), codeIn('severe-obesity')] } });
  const other = condition('severe-obesity');
  const fact = factOf('obesityDiagnosed', patientRecord({ conditions: [both, other] }));
  expect(references(fact)).toEqual([`Condition/${both.id}`, `Condition/${other.id}`]);
});

test('a condition without id is cited by its text, once', () => {
  const anonymous = condition('foot-drop', { id: undefined });
  expect(factOf('footDrop', patientRecord({ conditions: [anonymous, anonymous] })).cites).toHaveLength(1);
});

test('a threshold that is not a number is a configuration error naming it', () => {
  const context = factContext({ parameters: { acuteMaxWeeks: 'four' } });
  expect(() => numberParameter(context, 'acuteMaxWeeks')).toThrow('parameter acuteMaxWeeks must be a number');
  expect(numberParameter(factContext(), 'acuteMaxWeeks')).toBe(parameter('acuteMaxWeeks'));
});
