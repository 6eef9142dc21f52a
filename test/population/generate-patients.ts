import type { Condition, MedicationRequest, Observation, Patient, Procedure, Resource } from '@medplum/fhirtypes';
import {
  ANKLE_SITE,
  CONDITIONS,
  FUSION_PROCEDURE,
  LOINC,
  MEDICATIONS,
  MODALITIES,
  OBSERVATIONS,
  SPINE_SITE,
  type Code,
  type ConditionGroup,
  type Modality,
} from './clinical-lists';

/** A small seeded generator (mulberry32): the same seed gives the same population on every machine. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

export interface GeneratedPatient {
  id: string;
  resources: Resource[];
  /** A draft order for an order-sign call, when this patient also gets one. */
  order?: { modality: Modality; resource: Resource };
}

const DAY_MS = 86_400_000;
const STATUSES = [
  'active',
  'active',
  'active',
  'recurrence',
  'remission',
  'resolved',
  'inactive',
  'entered-in-error',
  'refuted',
  'no-status',
] as const;

/** How often each kind of comorbidity is drawn: enough for every combination to occur across 1,000 patients. */
const PREVALENCE: Partial<Record<ConditionGroup, number>> = {
  cancer: 0.12,
  cancerHistoryCode: 0.05,
  spinalTumour: 0.03,
  caudaEquina: 0.03,
  caudaEquinaSign: 0.04,
  footDrop: 0.03,
  spinalInfection: 0.03,
  vertebralFracture: 0.04,
  osteoporosis: 0.08,
  longTermSteroids: 0.04,
  rupturedAneurysm: 0.02,
  aneurysm: 0.04,
  instability: 0.04,
  spondylolisthesis: 0.05,
  spondylolysis: 0.03,
  eyePressure: 0.03,
  fusionStatus: 0.04,
  fusionElsewhere: 0.03,
  hypertension: 0.15,
  hernia: 0.06,
  obesity: 0.1,
  anticoagulantCode: 0.03,
  antiplateletCode: 0.03,
  immunosuppression: 0.03,
  infectionSign: 0.04,
  severeKidneyDisease: 0.04,
  pepticUlcer: 0.04,
  heartFailure: 0.05,
};

/** Where each group's conditions are: an arthrodesis status is spinal only with a spinal body site. */
const BODY_SITES: Partial<Record<ConditionGroup, NonNullable<Condition['bodySite']>[number]>> = {
  fusionStatus: SPINE_SITE,
  fusionElsewhere: ANKLE_SITE,
};

/**
 * Patients built from the census and docs/clinical.md's codes: a back pain episode of random code and duration, random
 * comorbidities with every clinical and verification status, realistic dates, vitals (blood pressure as standalone
 * codes or inside either panel), T-scores, prescriptions, surgery, pregnancy, some deceased.
 */
export function generatePatients(count: number, seed: number, now: Date): GeneratedPatient[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => generatePatient(`pop-${seed}-${i}`, random, now));
}

function generatePatient(id: string, random: Random, now: Date): GeneratedPatient {
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  const day = (days: number) => ago(days).slice(0, 10);
  const subject = { reference: `Patient/${id}` };
  const gender = random.pick(['female', 'male'] as const);
  const age = random.int(18, 92);
  const patient: Patient = { resourceType: 'Patient', id, gender, birthDate: day(age * 365.25 + random.int(0, 300)) };
  if (random.chance(0.05)) {
    if (random.chance(0.5)) patient.deceasedBoolean = true;
    else patient.deceasedDateTime = ago(random.int(1, 400));
  }
  let serial = 0;
  const nextId = (kind: string) => `${id}-${kind}-${serial++}`;

  const condition = (code: Code, status: (typeof STATUSES)[number], onsetDaysAgo: number): Condition => {
    const resource: Condition = {
      resourceType: 'Condition',
      id: nextId('c'),
      subject,
      code: { coding: [code], text: code.display },
      onsetDateTime: ago(onsetDaysAgo),
    };
    if (status === 'entered-in-error' || status === 'refuted') {
      resource.verificationStatus = {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: status }],
      };
      resource.clinicalStatus = clinical('active');
    } else if (status !== 'no-status') {
      resource.clinicalStatus = clinical(status);
    }
    if (status === 'resolved' || (status === 'remission' && random.chance(0.5))) {
      resource.abatementDateTime = ago(random.int(1, Math.max(1, onsetDaysAgo - 1)));
    }
    return resource;
  };

  const resources: Resource[] = [patient];
  // The back pain episode: always active, of random code and duration (1 day to 2 years).
  resources.push(condition(random.pick(CONDITIONS.backPain), 'active', random.int(1, 730)));
  if (random.chance(0.15))
    resources.push(condition(random.pick(CONDITIONS.backPain), random.pick(STATUSES), random.int(1, 2000)));
  // Issue 16: an old back pain code left active on the problem list beside the current one.
  if (random.chance(0.1)) resources.push(condition(random.pick(CONDITIONS.backPain), 'active', random.int(400, 2200)));

  for (const [group, prevalence] of Object.entries(PREVALENCE) as Array<[ConditionGroup, number]>) {
    if (!random.chance(prevalence)) continue;
    const resource = condition(random.pick(CONDITIONS[group]), random.pick(STATUSES), random.int(5, 4000));
    const site = BODY_SITES[group];
    resources.push(site ? { ...resource, bodySite: [site] } : resource);
  }
  if (gender === 'female' && age < 46 && random.chance(0.25)) {
    resources.push(condition(random.pick(CONDITIONS.pregnancy), random.pick(STATUSES), random.int(10, 250)));
  }
  for (let n = random.int(0, 4); n > 0; n--)
    resources.push(condition(random.pick(CONDITIONS.noise), random.pick(STATUSES), random.int(5, 6000)));

  const medication = (code: Code): MedicationRequest => ({
    resourceType: 'MedicationRequest',
    id: nextId('m'),
    status: random.pick(['active', 'active', 'stopped', 'completed', 'entered-in-error'] as const),
    intent: 'order',
    subject,
    medicationCodeableConcept: { coding: [code], text: code.display },
    authoredOn: ago(random.int(5, 1500)),
  });
  if (random.chance(0.12)) resources.push(medication(random.pick(MEDICATIONS.anticoagulant)));
  if (random.chance(0.1)) resources.push(medication(random.pick(MEDICATIONS.antiplatelet)));
  if (random.chance(0.05)) resources.push(medication(random.pick(MEDICATIONS.immunosuppressant)));
  if (random.chance(0.3)) resources.push(medication(random.pick(MEDICATIONS.noise)));

  const observation = (code: string, daysAgo: number, extra: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    id: nextId('o'),
    status: random.chance(0.95) ? 'final' : 'entered-in-error',
    subject,
    code: { coding: [{ system: LOINC, code }] },
    effectiveDateTime: ago(daysAgo),
    ...extra,
  });
  const mmHg = (value: number) => ({ value, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
  for (let n = random.int(0, 3); n > 0; n--) {
    const systolic = random.int(95, 200);
    const diastolic = random.int(55, Math.min(125, systolic - 20));
    const daysAgo = random.int(1, 700);
    if (random.chance(0.7)) {
      const component = [
        { code: { coding: [{ system: LOINC, code: OBSERVATIONS.systolic }] }, valueQuantity: mmHg(systolic) },
        { code: { coding: [{ system: LOINC, code: OBSERVATIONS.diastolic }] }, valueQuantity: mmHg(diastolic) },
      ];
      resources.push(observation(random.pick(OBSERVATIONS.bpPanels), daysAgo, { component }));
    } else {
      resources.push(observation(OBSERVATIONS.systolic, daysAgo, { valueQuantity: mmHg(systolic) }));
      resources.push(observation(OBSERVATIONS.diastolic, daysAgo, { valueQuantity: mmHg(diastolic) }));
    }
  }
  if (random.chance(0.6)) {
    const bmi = Math.round((17 + random.next() * 30) * 10) / 10;
    resources.push(observation(OBSERVATIONS.bmi, random.int(1, 700), { valueQuantity: { value: bmi, unit: 'kg/m2' } }));
  }
  if (random.chance(0.2)) {
    const tScore = Math.round((-4 + random.next() * 5) * 10) / 10;
    resources.push(
      observation(random.pick(OBSERVATIONS.tScore), random.int(1, 2000), {
        valueQuantity: { value: tScore, unit: '{T-score}' },
      }),
    );
  }
  if (random.chance(0.06)) {
    const procedure: Procedure = {
      resourceType: 'Procedure',
      id: nextId('p'),
      status: 'completed',
      subject,
      code: { coding: [FUSION_PROCEDURE] },
      performedDateTime: ago(random.int(10, 1500)),
    };
    resources.push(procedure);
  }

  if (!random.chance(0.4)) return { id, resources };
  const modality = random.pick(Object.keys(MODALITIES) as Modality[]);
  const resource = {
    resourceType: 'ServiceRequest',
    id: nextId('order'),
    status: 'draft',
    intent: 'order',
    subject,
    code: { coding: [MODALITIES[modality].orders[0]] },
  } as Resource;
  return { id, resources, order: { modality, resource } };
}

function clinical(code: string) {
  return { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] };
}
