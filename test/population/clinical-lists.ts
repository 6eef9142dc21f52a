/**
 * The safety oracle's own code lists and wording checks, written from docs/clinical.md (red flags,
 * contraindications per modality, NSAID cautions) and the codes in clinical-codes.json and the Synthea R4 census.
 * Deliberately NOT read from rules/ or fhir-profiles/: the oracle must be able to disagree with them.
 */

export const SNOMED = 'http://snomed.info/sct';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
export const LOINC = 'http://loinc.org';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const CPT = 'http://www.ama-assn.org/go/cpt';
export const LOCAL = 'https://fhir.spine-cds.example/CodeSystem/spine-cds-local';
export const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';

export interface Code {
  system: string;
  code: string;
  display: string;
}

const sct = (code: string, display: string): Code => ({ system: SNOMED, code, display });
const icd = (code: string, display: string): Code => ({ system: ICD10, code, display });

/** Body sites the generator puts on arthrodesis status: Z98.1 is a fusion of any joint (issue 16 item 8). */
export const SPINE_SITE = { coding: [sct('421060004', 'Vertebral column structure (body structure)')], text: 'Spine' };
export const ANKLE_SITE = { text: 'Left ankle' };

/** Coded problems the oracle knows, by what docs/clinical.md makes of them. */
export const CONDITIONS = {
  backPain: [
    sct('279039007', 'Low back pain (finding)'),
    sct('278860009', 'Chronic low back pain (finding)'),
    sct('23056005', 'Sciatica (disorder)'),
    sct('128196005', 'Lumbar radiculopathy (disorder)'),
    sct('18347007', 'Spinal stenosis of lumbar region (disorder)'),
    icd('M54.50', 'Low back pain, unspecified'),
    icd('M51.26', 'Other intervertebral disc displacement, lumbar region'),
  ],
  /** Cancer of any site, metastatic or haematological (census SNOMED codes, ICD-10-CM chapter 2). */
  cancer: [
    sct('314994000', 'Metastasis from malignant tumor of prostate (disorder)'),
    sct('94260004', 'Secondary malignant neoplasm of colon'),
    sct('363406005', 'Malignant tumor of colon'),
    sct('93761005', 'Primary malignant neoplasm of colon'),
    sct('109838007', 'Overlapping malignant neoplasm of colon'),
    sct('254637007', 'Non-small cell lung cancer (disorder)'),
    sct('424132000', 'Non-small cell carcinoma of lung, TNM stage 1 (disorder)'),
    sct('254632001', 'Small cell carcinoma of lung (disorder)'),
    sct('67811000119102', 'Primary small cell malignant neoplasm of lung, TNM stage 1 (disorder)'),
    sct('126906006', 'Neoplasm of prostate'),
    icd('C50.911', 'Malignant neoplasm of unspecified site of right female breast'),
    icd('C61', 'Malignant neoplasm of prostate'),
    icd('C34.90', 'Malignant neoplasm of unspecified part of unspecified bronchus or lung'),
    icd('C90.00', 'Multiple myeloma not having achieved remission'),
    icd('C85.90', 'Non-Hodgkin lymphoma, unspecified, unspecified site'),
    icd('C91.10', 'Chronic lymphocytic leukemia of B-cell type not having achieved remission'),
  ],
  /** Personal-history codes: history whatever their status. */
  cancerHistoryCode: [
    icd('Z85.3', 'Personal history of malignant neoplasm of breast'),
    icd('Z85.46', 'Personal history of malignant neoplasm of prostate'),
  ],
  spinalTumour: [
    icd('C79.51', 'Secondary malignant neoplasm of bone'),
    sct('94222008', 'Secondary malignant neoplasm of bone (disorder)'),
  ],
  caudaEquina: [sct('192970008', 'Cauda equina syndrome (disorder)'), icd('G83.4', 'Cauda equina syndrome')],
  /** Issue 16: signs that are cauda equina only when they began during the back pain episode. */
  caudaEquinaSign: [icd('R33.9', 'Retention of urine, unspecified'), icd('R15.9', 'Full incontinence of feces')],
  footDrop: [icd('M21.371', 'Foot drop, right foot'), sct('27253007', 'Foot-drop gait')],
  spinalInfection: [icd('M46.26', 'Osteomyelitis of vertebra, lumbar region'), sct('2304001', 'Discitis (disorder)')],
  vertebralFracture: [
    icd('S32.000A', 'Wedge compression fracture of unspecified lumbar vertebra'),
    sct('203450003', 'Osteoporotic fracture of lumbar vertebra (disorder)'),
    // Issue 16: level-specific codes, healing (D) and nonunion (K) encounters still a current fracture.
    icd('S32.010A', 'Wedge compression fracture of first lumbar vertebra, initial encounter for closed fracture'),
    icd('S32.042A', 'Unstable burst fracture of fourth lumbar vertebra, initial encounter for closed fracture'),
    icd('S22.060A', 'Wedge compression fracture of T7-T8 vertebra, initial encounter for closed fracture'),
    icd('S22.081D', 'Stable burst fracture of T11-T12 vertebra, subsequent encounter for routine healing'),
    icd('M48.54XA', 'Collapsed vertebra, not elsewhere classified, thoracic region, initial encounter for fracture'),
    icd('M80.08XK', 'Age-related osteoporosis with current pathological fracture, vertebra(e), nonunion'),
  ],
  osteoporosis: [
    sct('64859006', 'Osteoporosis (disorder)'),
    icd('M81.0', 'Age-related osteoporosis without current pathological fracture'),
  ],
  longTermSteroids: [icd('Z79.52', 'Long term (current) use of systemic steroids')],
  rupturedAneurysm: [
    sct('14336007', 'Ruptured abdominal aortic aneurysm (disorder)'),
    icd('I71.30', 'Abdominal aortic aneurysm, ruptured, unspecified'),
  ],
  aneurysm: [
    sct('233985008', 'Abdominal aortic aneurysm (disorder)'),
    icd('I71.40', 'Abdominal aortic aneurysm, without rupture, unspecified'),
  ],
  instability: [
    icd('M53.2X6', 'Spinal instabilities, lumbar region'),
    sct('202824000', 'Lumbar spine instability (disorder)'),
  ],
  spondylolisthesis: [
    sct('274152003', 'Spondylolisthesis (disorder)'),
    icd('M43.16', 'Spondylolisthesis, lumbar region'),
  ],
  /** Issue 16 item 10: a pars defect without a slip; still a traction contraindication, not a surgical indication. */
  spondylolysis: [sct('240221008', 'Spondylolysis (disorder)'), icd('M43.06', 'Spondylolysis, lumbar region')],
  /** Issue 16 item 14: raised intra-ocular pressure or a detached retina rule out inversion. */
  eyePressure: [
    icd('H40.11X0', 'Primary open-angle glaucoma, stage unspecified'),
    icd('H33.20', 'Serous retinal detachment, unspecified eye'),
  ],
  pregnancy: [
    sct('77386006', 'Pregnant (finding)'),
    sct('72892002', 'Normal pregnancy'),
    icd('Z33.1', 'Pregnant state, incidental'),
  ],
  fusionStatus: [icd('Z98.1', 'Arthrodesis status'), sct('202725007', 'Lumbar post-laminectomy syndrome (disorder)')],
  /** Issue 16 item 8: arthrodesis status of another joint (body site ANKLE), which is not spinal surgery. */
  fusionElsewhere: [icd('Z98.1', 'Arthrodesis status')],
  hypertension: [sct('38341003', 'Hypertension'), icd('I10', 'Essential (primary) hypertension')],
  hernia: [
    sct('396347007', 'Umbilical hernia (disorder)'),
    icd('K40.90', 'Unilateral inguinal hernia, without obstruction or gangrene, not specified as recurrent'),
  ],
  obesity: [sct('162864005', 'Body mass index 30+ - obesity (finding)'), icd('E66.9', 'Obesity, unspecified')],
  anticoagulantCode: [icd('Z79.01', 'Long term (current) use of anticoagulants')],
  antiplateletCode: [icd('Z79.02', 'Long term (current) use of antithrombotics/antiplatelets')],
  /** Issue 16: immunosuppression and systemic signs of infection (ACR 2021 variant 7). */
  immunosuppression: [
    icd('B20', 'Human immunodeficiency virus [HIV] disease'),
    icd('D84.9', 'Immunodeficiency, unspecified'),
    icd('Z94.0', 'Kidney transplant status'),
  ],
  infectionSign: [icd('R50.9', 'Fever, unspecified'), icd('R63.4', 'Abnormal weight loss'), sct('386661006', 'Fever')],
  severeKidneyDisease: [
    icd('N18.4', 'Chronic kidney disease, stage 4 (severe)'),
    sct('433146000', 'Chronic kidney disease stage 5 (disorder)'),
  ],
  pepticUlcer: [sct('13200003', 'Peptic ulcer (disorder)'), icd('K92.2', 'Gastrointestinal hemorrhage, unspecified')],
  heartFailure: [
    sct('88805009', 'Chronic congestive heart failure (disorder)'),
    icd('I50.9', 'Heart failure, unspecified'),
  ],
  /** Census conditions docs/clinical.md gives no role: noise every record has. */
  noise: [
    sct('444814009', 'Viral sinusitis (disorder)'),
    sct('15777000', 'Prediabetes'),
    sct('271737000', 'Anemia (disorder)'),
    sct('19169002', 'Miscarriage in first trimester'),
    sct('239873007', 'Osteoarthritis of knee'),
    sct('359817006', 'Closed fracture of hip'),
    sct('92691004', 'Carcinoma in situ of prostate (disorder)'),
    icd('S32.010S', 'Wedge compression fracture of first lumbar vertebra, sequela'),
  ],
} satisfies Record<string, Code[]>;

export type ConditionGroup = keyof typeof CONDITIONS;

export const MEDICATIONS = {
  anticoagulant: [
    { system: RXNORM, code: '855332', display: 'Warfarin Sodium 5 MG Oral Tablet' },
    { system: RXNORM, code: '1364445', display: 'apixaban 5 MG Oral Tablet' },
  ],
  antiplatelet: [
    { system: RXNORM, code: '309362', display: 'Clopidogrel 75 MG Oral Tablet' },
    { system: RXNORM, code: '243670', display: 'Aspirin 81 MG Oral Tablet' },
    { system: RXNORM, code: '1116635', display: 'ticagrelor 90 MG Oral Tablet' },
    { system: RXNORM, code: '855812', display: 'prasugrel 10 MG Oral Tablet' },
  ],
  immunosuppressant: [
    { system: RXNORM, code: '312617', display: 'predniSONE 5 MG Oral Tablet' },
    { system: RXNORM, code: '105586', display: 'Methotrexate 10 MG Oral Tablet' },
  ],
  noise: [
    { system: RXNORM, code: '316049', display: 'Hydrochlorothiazide 25 MG' },
    { system: RXNORM, code: '849574', display: 'Naproxen sodium 220 MG Oral Tablet' },
  ],
} satisfies Record<string, Code[]>;

export const OBSERVATIONS = {
  bpPanels: ['85354-9', '55284-4'],
  systolic: '8480-6',
  diastolic: '8462-4',
  bmi: '39156-5',
  tScore: ['38267-1', '38265-5'],
};

export const FUSION_PROCEDURE = sct('50172003', 'Lumbar spinal fusion (procedure)');

/**
 * Treatments docs/clinical.md tabulates contraindications for, with how a card about one reads and how it is
 * ordered.
 */
export const MODALITIES = {
  traction: {
    about: /traction|decompression/i,
    orders: [
      { system: CPT, code: '97012', display: 'Application of a modality to 1 or more areas; traction, mechanical' },
      { system: HCPCS, code: 'S9090', display: 'Vertebral axial decompression, per session' },
      {
        system: LOCAL,
        code: 'non-surgical-spinal-decompression',
        display: 'Motorised non-surgical spinal decompression',
      },
    ],
  },
  inversion: {
    about: /inversion/i,
    orders: [{ system: LOCAL, code: 'inversion-therapy', display: 'Inversion therapy (inversion table)' }],
  },
  injection: {
    about: /injection|epidural/i,
    orders: [
      { system: CPT, code: '62322', display: 'Injection, interlaminar epidural, lumbar or sacral' },
      sct('306265007', 'Referral to pain management specialist (procedure)'),
    ],
  },
  physiotherapy: {
    about: /physiotherap/i,
    orders: [
      sct('308447003', 'Referral to physiotherapist (procedure)'),
      sct('306170007', 'Referral to physiotherapy service (procedure)'),
    ],
  },
} satisfies Record<string, { about: RegExp; orders: Code[] }>;

export type Modality = keyof typeof MODALITIES;
