import type { MedicationRequest, Observation, Procedure, Resource } from '@medplum/fhirtypes';
import {
  bloodPressurePanel,
  condition,
  draftServiceRequest,
  fullPrefetch,
  ICD10,
  LOINC,
  medicationRequest,
  patient,
  procedure,
  quantityObservation,
  RXNORM,
  SNOMED,
  type Code,
} from '../fixtures/fhir';

/**
 * Patients for the benchmarks, built from the test fixtures. Every patient carries the same clinical core as
 * test/fixtures/patients.ts (subacute sciatica, low back pain, a recent pain score, blood pressure in a panel,
 * BMI), so the same cards fire whatever the size; the rest is what a real chart adds: chronic problems, resolved
 * acute problems, years of vital signs and labs, and old prescriptions, mostly outside every ValueSet.
 */

const CPT = 'http://www.ama-assn.org/go/cpt';
const DAY_MS = 86_400_000;

/** Chronic problems, each recorded once and active. Hypertension is in a ValueSet; the others are not. */
const CHRONIC: Code[] = [
  [ICD10, 'I10', 'Essential (primary) hypertension'],
  [ICD10, 'E78.5', 'Hyperlipidemia, unspecified'],
  [ICD10, 'E11.9', 'Type 2 diabetes mellitus without complications'],
  [SNOMED, '195967001', 'Asthma (disorder)'],
  [ICD10, 'K21.9', 'Gastro-esophageal reflux disease without esophagitis'],
  [SNOMED, '35489007', 'Depressive disorder (disorder)'],
  [ICD10, 'E03.9', 'Hypothyroidism, unspecified'],
  [ICD10, 'M17.11', 'Unilateral primary osteoarthritis, right knee'],
  [ICD10, 'J30.2', 'Other seasonal allergic rhinitis'],
];

/** Acute problems that recur over the years and resolve. */
const ACUTE: Code[] = [
  [SNOMED, '54150009', 'Upper respiratory infection (disorder)'],
  [ICD10, 'J20.9', 'Acute bronchitis, unspecified'],
  [SNOMED, '44465007', 'Sprain of ankle (disorder)'],
  [ICD10, 'J01.90', 'Acute sinusitis, unspecified'],
  [ICD10, 'A09', 'Infectious gastroenteritis and colitis, unspecified'],
  [ICD10, 'N39.0', 'Urinary tract infection, site not specified'],
  [SNOMED, '125667009', 'Contusion (disorder)'],
  [ICD10, 'H66.90', 'Otitis media, unspecified, unspecified ear'],
];

/** Labs and vital signs outside every ValueSet, with a plausible value and unit. */
const ROUTINE_OBSERVATIONS: Array<[Code, number, string]> = [
  [[LOINC, '8867-4', 'Heart rate'], 72, '/min'],
  [[LOINC, '9279-1', 'Respiratory rate'], 14, '/min'],
  [[LOINC, '29463-7', 'Body weight'], 78.5, 'kg'],
  [[LOINC, '8302-2', 'Body height'], 168, 'cm'],
  [[LOINC, '8310-5', 'Body temperature'], 36.8, 'Cel'],
  [[LOINC, '2339-0', 'Glucose [Mass/volume] in Blood'], 104, 'mg/dL'],
  [[LOINC, '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'], 6.4, '%'],
  [[LOINC, '2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'], 196, 'mg/dL'],
  [[LOINC, '2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'], 0.9, 'mg/dL'],
  [[LOINC, '718-7', 'Hemoglobin [Mass/volume] in Blood'], 13.6, 'g/dL'],
];

const PAIN_SCORE: Code = [LOINC, '72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported'];
const BMI: Code = [LOINC, '39156-5', 'Body mass index (BMI) [Ratio]'];

const DRUGS: Code[] = [
  [RXNORM, '314076', 'lisinopril 10 MG Oral Tablet'],
  [RXNORM, '860975', 'metformin hydrochloride 500 MG Oral Tablet'],
  [RXNORM, '617312', 'atorvastatin 10 MG Oral Tablet'],
  [RXNORM, '310965', 'ibuprofen 200 MG Oral Tablet'],
  [RXNORM, '966247', 'levothyroxine sodium 0.05 MG Oral Tablet'],
  [RXNORM, '745679', 'albuterol 0.09 MG/ACTUAT Metered Dose Inhaler'],
  [RXNORM, '308182', 'amoxicillin 250 MG Oral Capsule'],
  [RXNORM, '312938', 'sertraline 100 MG Oral Tablet'],
];

const PROCEDURES: Code[] = [
  [SNOMED, '73761001', 'Colonoscopy (procedure)'],
  [SNOMED, '33879002', 'Administration of vaccine (procedure)'],
  [CPT, '73562', 'Radiologic examination, knee; 3 views'],
];

export interface PatientShape {
  conditions: number;
  observations: number;
  medications: number;
  procedures: number;
}

/** The typical chart of the issue: about 50 resources in the prefetch. */
export const TYPICAL_SHAPE: PatientShape = { conditions: 12, observations: 30, medications: 4, procedures: 3 };

/** The heavy chart of the issue: 300 conditions, 5,000 observations, 200 medication requests. */
export const HEAVY_SHAPE: PatientShape = { conditions: 300, observations: 5000, medications: 200, procedures: 30 };

/** A chart of about `total` resources in the heavy chart's proportions (the in-process scaling series). */
export function shapeOfSize(total: number): PatientShape {
  const heavyTotal =
    1 + HEAVY_SHAPE.conditions + HEAVY_SHAPE.observations + HEAVY_SHAPE.medications + HEAVY_SHAPE.procedures;
  const scale = (count: number) => Math.max(1, Math.round((count * total) / heavyTotal));
  const conditions = Math.max(3, scale(HEAVY_SHAPE.conditions));
  const medications = scale(HEAVY_SHAPE.medications);
  const procedures = scale(HEAVY_SHAPE.procedures);
  return {
    conditions,
    medications,
    procedures,
    observations: Math.max(4, total - 1 - conditions - medications - procedures),
  };
}

export const resourceCount = (shape: PatientShape): number =>
  1 + shape.conditions + shape.observations + shape.medications + shape.procedures;

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);
const isoTime = (time: number) => new Date(time).toISOString();

/** A deterministic chart with the given counts, dated backwards from `now`. */
export function benchPatient(id: string, shape: PatientShape, now: Date): Resource[] {
  const daysAgo = (days: number) => now.getTime() - days * DAY_MS;
  return [
    patient(id, '1975-03-02', 'female'),
    ...conditions(id, shape.conditions, daysAgo),
    ...observations(id, shape.observations, daysAgo),
    ...medications(id, shape.medications, daysAgo),
    ...procedures(id, shape.procedures, daysAgo),
  ];
}

function conditions(id: string, count: number, daysAgo: (days: number) => number): Resource[] {
  const core = [
    condition(id, `${id}-sciatica`, [SNOMED, '23056005', 'Sciatica (disorder)'], { onset: isoDay(daysAgo(81)) }),
    condition(id, `${id}-lbp`, [ICD10, 'M54.50', 'Low back pain, unspecified'], {
      onset: isoDay(daysAgo(81)),
      status: 'active',
    }),
    condition(id, `${id}-pregnancy`, [SNOMED, '72892002', 'Normal pregnancy (finding)'], {
      onset: '2001-01-10',
      abatement: '2001-10-01',
      status: 'resolved',
    }),
  ];
  const rest = Array.from({ length: Math.max(0, count - core.length) }, (_, i) => {
    if (i < CHRONIC.length)
      return condition(id, `${id}-chronic-${i}`, CHRONIC[i], {
        onset: isoDay(daysAgo(400 + 97 * i)),
        status: 'active',
      });
    const onset = daysAgo(120 + 11 * i);
    return condition(id, `${id}-acute-${i}`, ACUTE[i % ACUTE.length], {
      onset: isoDay(onset),
      abatement: isoDay(onset + 14 * DAY_MS),
      status: 'resolved',
    });
  });
  return [...core, ...rest].slice(0, count);
}

/**
 * One visit in eight records a pain score, one in four a blood pressure panel, one in eight a BMI; the rest are
 * routine labs and vitals. Visit 0 is ten days ago, so the newest readings are recent.
 */
function observations(id: string, count: number, daysAgo: (days: number) => number): Observation[] {
  return Array.from({ length: count }, (_, i) => {
    const when = isoTime(daysAgo(10 + 3 * Math.floor(i / 4)));
    const obsId = `${id}-obs-${i}`;
    if (i % 8 === 0) return quantityObservation(id, obsId, PAIN_SCORE, i === 0 ? 7 : 3 + (i % 5), '{score}', when);
    if (i % 4 === 1) return bloodPressurePanel(id, obsId, 118 + (i % 17), 76 + (i % 9), when);
    if (i % 8 === 2) return quantityObservation(id, obsId, BMI, 27.1, 'kg/m2', when);
    const [code, value, unit] = ROUTINE_OBSERVATIONS[i % ROUTINE_OBSERVATIONS.length];
    return quantityObservation(id, obsId, code, value, unit, when);
  });
}

/** The first few prescriptions are current; older ones were completed or stopped. */
function medications(id: string, count: number, daysAgo: (days: number) => number): MedicationRequest[] {
  return Array.from({ length: count }, (_, i) =>
    medicationRequest(
      id,
      `${id}-med-${i}`,
      DRUGS[i % DRUGS.length],
      isoDay(daysAgo(30 + 45 * i)),
      i < 4 ? 'active' : i % 3 === 0 ? 'stopped' : 'completed',
    ),
  );
}

function procedures(id: string, count: number, daysAgo: (days: number) => number): Procedure[] {
  return Array.from({ length: count }, (_, i) =>
    procedure(id, `${id}-proc-${i}`, PROCEDURES[i % PROCEDURES.length], isoTime(daysAgo(200 + 90 * i))),
  );
}

export interface HookBodyOptions {
  hook?: 'patient-view' | 'order-sign';
  /** Resources for a full prefetch; omit to send no prefetch (the service fetches from fhirServer). */
  resources?: Resource[];
  fhirServer?: string;
}

/** A valid hook call for `patientId`, as an EHR sends it. */
export function hookBody(patientId: string, options: HookBodyOptions): Record<string, unknown> {
  const hook = options.hook ?? 'patient-view';
  return {
    hook,
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    ...(options.fhirServer ? { fhirServer: options.fhirServer } : {}),
    context: {
      userId: 'Practitioner/bench-clinician',
      patientId,
      ...(hook === 'order-sign' ? { draftOrders: draftOrders(patientId) } : {}),
    },
    ...(options.resources ? { prefetch: fullPrefetch(options.resources) } : {}),
  };
}

/** Draft orders about to be signed: traction, an epidural injection and a physiotherapy referral, plus a lab. */
function draftOrders(patientId: string) {
  const drafts = [
    draftServiceRequest(patientId, 'draft-traction', [CPT, '97012', 'Mechanical traction therapy']),
    draftServiceRequest(patientId, 'draft-injection', [CPT, '62322', 'Lumbar epidural steroid injection']),
    draftServiceRequest(patientId, 'draft-physio', [SNOMED, '308447003', 'Referral to physiotherapist (procedure)']),
    draftServiceRequest(patientId, 'draft-cbc', [SNOMED, '26604007', 'Complete blood count (procedure)']),
  ];
  return { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) };
}
