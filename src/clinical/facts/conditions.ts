import { activeCondition, type FactDefinition } from './definition';

/** Coded problems the red-flag and contraindication rules ask about; all count only while active. */
export const conditionFacts: FactDefinition[] = [
  activeCondition(
    'bladderOrBowelDysfunction',
    'Urinary incontinence or retention, faecal incontinence or neurogenic bladder/bowel' +
      ' (new onset with back pain can signal cauda equina)',
    ['urinary-incontinence', 'neurogenic-bowel-or-bladder', 'urinary-retention', 'faecal-incontinence'],
  ),
  activeCondition('footDrop', 'Foot drop', ['foot-drop']),
  activeCondition('motorWeakness', 'Motor weakness (progression cannot be read from a single code)', [
    'motor-weakness',
  ]),
  activeCondition('spinalInfection', 'Spinal infection (osteomyelitis, discitis, epidural abscess)', [
    'spinal-infection',
  ]),
  activeCondition('spinalNeoplasm', 'Spinal tumour or metastasis', ['spinal-neoplasm']),
  activeCondition('infectionSigns', 'Fever or unexplained weight loss', ['infection-sign']),
  activeCondition('nocturnalPain', 'Night pain', ['nocturnal-pain']),
  activeCondition(
    'activeMalignancy',
    'Active cancer of any site (including metastatic disease and myeloma, lymphoma, leukaemia)',
    ['malignant-neoplasm', 'spinal-neoplasm'],
  ),
  activeCondition('palliativeCare', 'Palliative or end-of-life care', ['palliative-care']),
  activeCondition('vertebralFracture', 'Vertebral fracture', ['vertebral-fracture']),
  activeCondition('osteoporosisDiagnosed', 'Osteoporosis diagnosis', ['osteoporosis']),
  activeCondition('longTermSteroids', 'Long-term systemic steroid use', ['long-term-steroid-use']),
  activeCondition('spinalInstability', 'Spinal instability', ['spinal-instability']),
  activeCondition('aorticAneurysm', 'Abdominal aortic aneurysm', [
    'abdominal-aortic-aneurysm',
    'ruptured-abdominal-aortic-aneurysm',
  ]),
  activeCondition('rupturedAorticAneurysm', 'Ruptured abdominal aortic aneurysm', [
    'ruptured-abdominal-aortic-aneurysm',
  ]),
  activeCondition('hypertension', 'Hypertension diagnosis', ['hypertension']),
  activeCondition('glaucomaOrRetinalDetachment', 'Glaucoma or retinal detachment', ['glaucoma-or-retinal-detachment']),
  activeCondition('hernia', 'Abdominal, inguinal or hiatal hernia', ['hernia']),
  activeCondition('obesityDiagnosed', 'Obesity diagnosis', ['obesity', 'severe-obesity']),
  activeCondition('severeObesityDiagnosed', 'Severe obesity diagnosis (BMI 40+)', ['severe-obesity']),
  activeCondition('severeKidneyDisease', 'Chronic kidney disease stage 4-5', ['severe-chronic-kidney-disease']),
  activeCondition('pepticUlcerOrBleed', 'Active peptic ulcer or gastrointestinal bleeding', [
    'peptic-ulcer-or-gi-bleed',
  ]),
  activeCondition('heartFailure', 'Heart failure', ['heart-failure']),
];
