import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type {
  Coding,
  Condition,
  MedicationRequest,
  Observation,
  Patient,
  Procedure,
  Resource,
  ServiceRequest,
  ValueSet,
} from '@medplum/fhirtypes';
import { handleHookCall } from '../../src/cds/hook-service';
import { offlineFetchSettings } from '../../src/cds/prefetch';
import { responseViolations } from '../../src/cds/response-check';
import type { Card } from '../../src/cds/types';
import type { HookName } from '../../src/cds/protocol/hooks';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import type { Scenario } from '../../src/cli/scenarios/types';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/**
 * Property-based checks over generated patients: random mixes of the codes in the ValueSets, random dates relative
 * to now, observations in and out of range or without values, random statuses, random hooks and draft orders.
 *
 * The absolute contraindications are computed here, independently of the rule packs, from docs/clinical.md's table
 * ("Contraindications per modality") with its own ValueSet matching; only the thresholds come from
 * rules/parameters.json. The oracle claims an absolute contraindication only where docs/clinical.md clearly says so,
 * so the service may be stricter than the oracle, never laxer.
 */

const ruleSet = bundledRuleSet();
const RULES = new Map(ruleSet.rules.map((rule) => [rule.spec.name, rule.spec]));
const NOW = new Date('2026-11-21T12:00:00Z');
const DAY_MS = 86_400_000;
const PID = 'prop-patient';

const parameters = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'parameters.json'), 'utf8'))
  .parameters as Record<string, { value: number }>;
const param = (name: string): number => {
  const value = parameters[name]?.value;
  if (typeof value !== 'number') throw new Error(`rules/parameters.json has no numeric ${name}`);
  return value;
};

// ---------------------------------------------------------------------------------------------------------------
// ValueSets, read and matched here without the service's terminology module

const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const normaliseIcd = (code: string) => code.trim().toUpperCase().replace(/\./g, '');

interface CodeList {
  codes: Coding[];
  icdFamilies: string[];
}

const VALUESET_DIR = path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets');
const valueSets = new Map<string, CodeList>(
  fs
    .readdirSync(VALUESET_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const valueSet = JSON.parse(fs.readFileSync(path.join(VALUESET_DIR, file), 'utf8')) as ValueSet;
      const includes = valueSet.compose?.include ?? [];
      return [
        valueSet.id as string,
        {
          codes: includes.flatMap((include) =>
            (include.concept ?? []).map((concept) => ({
              system: include.system,
              code: concept.code,
              display: concept.display,
            })),
          ),
          icdFamilies: includes.flatMap((include) => (include.filter ?? []).map((filter) => filter.value)),
        },
      ];
    }),
);

function inValueSet(codings: Coding[] | undefined, id: string): boolean {
  const list = valueSets.get(id);
  if (!list) throw new Error(`no ValueSet ${id}`);
  return (codings ?? []).some((coding) => {
    if (!coding.system || !coding.code) return false;
    if (coding.system === ICD10) {
      const code = normaliseIcd(coding.code);
      return (
        list.codes.some((c) => c.system === ICD10 && normaliseIcd(c.code as string) === code) ||
        list.icdFamilies.some((root) => code.startsWith(normaliseIcd(root)))
      );
    }
    return list.codes.some((c) => c.system === coding.system && c.code === coding.code);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle: docs/clinical.md "Contraindications per modality", absolute (A) cells only

type Modality = 'traction' | 'inversion' | 'injection' | 'physiotherapy';

interface Visible {
  conditions: Condition[];
  observations: Observation[] | undefined;
  procedures: Procedure[] | undefined;
}

const code = (concept: { coding?: Array<{ code?: string }> } | undefined) => concept?.coding?.[0]?.code;

/** docs/clinical.md: only active, non-refuted, non-entered-in-error conditions count (a past abatement ends them). */
function isActive(condition: Condition): boolean {
  const verification = code(condition.verificationStatus);
  if (verification === 'refuted' || verification === 'entered-in-error') return false;
  const clinical = code(condition.clinicalStatus);
  if (clinical !== undefined && !['active', 'recurrence', 'relapse'].includes(clinical)) return false;
  const abated = condition.abatementDateTime ? Date.parse(condition.abatementDateTime) : undefined;
  return abated === undefined || abated > NOW.getTime();
}

/** FHIR's onset, else the date the condition was recorded (NaN when neither is given). */
const onsetOf = (condition: Condition) =>
  Date.parse(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate ?? '');

const USABLE_OBSERVATION = new Set(['final', 'amended', 'corrected', 'preliminary']);
const daysSince = (iso: string | undefined) =>
  iso ? (NOW.getTime() - Date.parse(iso)) / DAY_MS : Number.POSITIVE_INFINITY;

/** Readings of one LOINC code, as a value or as a panel component; implausible values are ignored. */
function readings(
  observations: Observation[],
  loinc: string,
  plausible: [number, number],
): Array<{ value: number; days: number }> {
  return observations
    .filter((observation) => USABLE_OBSERVATION.has(observation.status))
    .flatMap((observation) => {
      const direct = observation.code?.coding?.some((c) => c.code === loinc) ? [observation.valueQuantity?.value] : [];
      const components = (observation.component ?? [])
        .filter((c) => c.code?.coding?.some((cc) => cc.code === loinc))
        .map((c) => c.valueQuantity?.value);
      return [...direct, ...components]
        .filter((value): value is number => typeof value === 'number' && value >= plausible[0] && value <= plausible[1])
        .map((value) => ({ value, days: daysSince(observation.effectiveDateTime) }));
    });
}

/**
 * The newest plausible readings (several when they share the newest time), if recent enough to use. Conflicting
 * readings at the same moment are ambiguous, so the oracle only relies on what all of them say.
 */
function latestRecent(
  observations: Observation[] | undefined,
  loinc: string,
  plausible: [number, number],
  maxAgeDays: number,
): number[] {
  if (!observations) return [];
  const all = readings(observations, loinc, plausible);
  const newest = Math.min(...all.map((r) => r.days));
  return newest <= maxAgeDays ? all.filter((r) => r.days === newest).map((r) => r.value) : [];
}

const atLeast = (values: number[], threshold: number) =>
  values.length > 0 && values.every((value) => value >= threshold);

const POSITIVE = new Set(['LA15173-0']);
const NEGATIVE = new Set(['LA26683-5']);

/**
 * docs/clinical.md "pregnancy (active, not resolved)": an active pregnancy condition, else the newest pregnancy status
 * or hCG result if positive and within its maximum age (a negative or stale result never makes the oracle expect
 * a contraindication). As with readings, results sharing the newest time must agree.
 */
function pregnant(data: Visible): boolean {
  if (data.conditions.some((c) => isActive(c) && inValueSet(c.code?.coding, 'pregnancy'))) return true;
  if (!data.observations) return false;
  const answers = data.observations
    .filter(
      (o) =>
        USABLE_OBSERVATION.has(o.status) &&
        (inValueSet(o.code?.coding, 'pregnancy-status') || inValueSet(o.code?.coding, 'pregnancy-test')),
    )
    .map((o) => ({ days: daysSince(o.effectiveDateTime), answer: o.valueCodeableConcept?.coding?.[0]?.code ?? '' }))
    .filter((o) => POSITIVE.has(o.answer) || NEGATIVE.has(o.answer));
  if (answers.length === 0) return false;
  const newest = Math.min(...answers.map((o) => o.days));
  const atNewest = answers.filter((o) => o.days === newest);
  return newest <= param('pregnancyPositiveMaxAgeDays') && atNewest.every((o) => POSITIVE.has(o.answer));
}

/** Conditions that make back pain (their onsets date the episode). */
const BACK_PAIN_VALUESETS = [
  'low-back-pain',
  'back-pain-site-unspecified',
  'chronic-low-back-pain',
  'radicular-pain',
  'lumbar-disc-herniation',
  'spinal-stenosis',
  'neurogenic-claudication',
];

function absoluteContraindications(data: Visible): Set<Modality> {
  const has = (...ids: string[]) =>
    data.conditions.some((c) => isActive(c) && ids.some((id) => inValueSet(c.code?.coding, id)));
  const tScores = data.observations
    ? readings(data.observations, '38267-1', [-10, 10]).concat(
        readings(data.observations, '38264-8', [-10, 10]),
        readings(data.observations, '38263-0', [-10, 10]),
        readings(data.observations, '38265-5', [-10, 10]),
      )
    : [];
  const osteoporosis = has('osteoporosis') || tScores.some((t) => t.value <= param('osteoporosisTScore'));
  const recentSurgery =
    (data.procedures ?? []).some(
      (p) =>
        ['completed', 'in-progress'].includes(p.status) &&
        inValueSet(p.code?.coding, 'spinal-surgery-procedure') &&
        daysSince(p.performedDateTime) <= param('recentSpinalSurgeryDays'),
    ) || has('spinal-surgery-status');
  // Issue 16: retention and faecal incontinence are cauda equina only with back pain that began before them (claimed
  // here only when they began at or after the newest back pain onset, which is inside the episode).
  const onsets = (ids: string[]) =>
    data.conditions
      .map((c) => (isActive(c) && ids.some((id) => inValueSet(c.code?.coding, id)) ? onsetOf(c) : Number.NaN))
      .filter((time) => Number.isFinite(time));
  const newestBackPain = Math.max(...onsets(BACK_PAIN_VALUESETS));
  const signInEpisode =
    Number.isFinite(newestBackPain) &&
    onsets(['urinary-retention', 'faecal-incontinence']).some((onset) => onset >= newestBackPain);
  const emergency = has('cauda-equina-syndrome', 'saddle-anaesthesia', 'foot-drop') || signInEpisode;
  const infection = has('spinal-infection');
  const tractionRow =
    osteoporosis ||
    has(
      'vertebral-fracture',
      'spinal-instability',
      'spondylolisthesis',
      'spinal-neoplasm',
      'abdominal-aortic-aneurysm',
      'ruptured-abdominal-aortic-aneurysm',
    ) ||
    infection ||
    pregnant(data) ||
    recentSurgery ||
    emergency;
  const maxAge = param('vitalsMaxAgeDays');
  const systolic = latestRecent(data.observations, '8480-6', [40, 300], maxAge);
  const diastolic = latestRecent(data.observations, '8462-4', [20, 200], maxAge);
  const bmi = latestRecent(data.observations, '39156-5', [8, 150], maxAge);
  const hypertension =
    has('hypertension') ||
    atLeast(systolic, param('hypertensionSystolic')) ||
    atLeast(diastolic, param('hypertensionDiastolic'));
  const obesity = has('obesity', 'severe-obesity') || atLeast(bmi, param('obesityBmi'));

  const result = new Set<Modality>();
  if (tractionRow) result.add('traction');
  if (tractionRow || hypertension || has('hernia') || obesity) result.add('inversion');
  if (infection || emergency) result.add('injection');
  if (infection || emergency) result.add('physiotherapy');
  return result;
}

/** Orders that offer a modality (pain-medicine referral is how the injection step offers an injection). */
const ORDER_VALUESETS: Record<Modality, string[]> = {
  traction: ['spinal-traction'],
  inversion: ['inversion-therapy'],
  injection: ['epidural-steroid-injection', 'pain-medicine-referral'],
  physiotherapy: ['physiotherapy-referral'],
};
const MODALITIES = Object.keys(ORDER_VALUESETS) as Modality[];

function modalitiesOfOrder(resource: { code?: { coding?: Coding[] } } | undefined): Modality[] {
  return MODALITIES.filter((modality) =>
    ORDER_VALUESETS[modality].some((id) => inValueSet(resource?.code?.coding, id)),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const UNRELATED: Coding[] = [
  { system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2 (disorder)' },
  { system: ICD10, code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
  { system: 'http://snomed.info/sct', code: '195662009', display: 'Acute viral pharyngitis (disorder)' },
];

const CONDITION_VALUESETS = [
  ...BACK_PAIN_VALUESETS,
  'spondylolisthesis',
  'spondylolysis',
  'degenerative-disc-disease',
  'lumbar-spondylosis',
  'cauda-equina-syndrome',
  'urinary-retention',
  'faecal-incontinence',
  'saddle-anaesthesia',
  'urinary-incontinence',
  'neurogenic-bowel-or-bladder',
  'foot-drop',
  'motor-weakness',
  'spinal-infection',
  'spinal-neoplasm',
  'history-of-cancer',
  'vertebral-fracture',
  'osteoporosis',
  'long-term-steroid-use',
  'spinal-instability',
  'abdominal-aortic-aneurysm',
  'ruptured-abdominal-aortic-aneurysm',
  'hypertension',
  'hernia',
  'obesity',
  'severe-obesity',
  'pregnancy',
  'spinal-surgery-status',
  'anticoagulant-condition',
];

/** Every listed code of the condition ValueSets, plus members of their ICD-10-CM families (root, and with 0/1/9). */
const conditionCodes: Coding[] = [
  ...UNRELATED,
  ...CONDITION_VALUESETS.flatMap((id) => {
    const list = valueSets.get(id) as CodeList;
    return [
      ...list.codes,
      ...list.icdFamilies.flatMap((root) =>
        ['', '0', '1', '9'].map((suffix) => ({ system: ICD10, code: `${root}${suffix}` })),
      ),
    ];
  }),
];

const days = (n: number) => new Date(NOW.getTime() - n * DAY_MS).toISOString();
const daysAgo = fc.integer({ min: 0, max: 3000 });

const codingArb = fc
  .tuple(fc.constantFrom(...conditionCodes), fc.boolean())
  .map(([coding, dotless]) =>
    dotless && coding.system === ICD10 ? { ...coding, code: (coding.code as string).replace('.', '') } : coding,
  );

const conditionArb = fc
  .record({
    codings: fc.array(codingArb, { minLength: 1, maxLength: 2 }),
    clinical: fc.constantFrom(
      undefined,
      undefined,
      'active',
      'active',
      'recurrence',
      'relapse',
      'inactive',
      'remission',
      'resolved',
    ),
    verification: fc.constantFrom(
      undefined,
      undefined,
      'confirmed',
      'unconfirmed',
      'provisional',
      'refuted',
      'entered-in-error',
    ),
    onset: fc.option(daysAgo, { nil: undefined }),
    recorded: fc.option(daysAgo, { nil: undefined }),
    abatement: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.integer({ min: -400, max: 3000 }) },
    ),
  })
  .map((c): Omit<Condition, 'id'> => ({
    resourceType: 'Condition',
    subject: { reference: `Patient/${PID}` },
    code: { coding: c.codings },
    ...(c.clinical
      ? {
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: c.clinical }],
          },
        }
      : {}),
    ...(c.verification
      ? {
          verificationStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: c.verification }],
          },
        }
      : {}),
    ...(c.onset !== undefined ? { onsetDateTime: days(c.onset) } : {}),
    ...(c.recorded !== undefined ? { recordedDate: days(c.recorded) } : {}),
    ...(c.abatement !== undefined ? { abatementDateTime: days(c.abatement) } : {}),
  }));

const observationStatus = fc.constantFrom<Observation['status']>(
  'final',
  'final',
  'final',
  'amended',
  'corrected',
  'preliminary',
  'cancelled',
  'entered-in-error',
  'registered',
);
const obsDate = fc.option(fc.integer({ min: 0, max: 1500 }), { freq: 8, nil: undefined });
/** A value in the plausible range, an absurd one, or none at all. */
const reading = (min: number, max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(-5, 999, 12000) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const LN = 'http://loinc.org';
const quantity = (loinc: string, value: number | undefined, unit: string) => ({
  code: { coding: [{ system: LN, code: loinc }] },
  ...(value !== undefined ? { valueQuantity: { value, unit } } : {}),
});

const observationArb: fc.Arbitrary<Omit<Observation, 'id'>> = fc
  .record({
    kind: fc.constantFrom(
      'pain',
      'pain',
      'odi',
      'tscore',
      'bp',
      'bp',
      'systolic',
      'bmi',
      'bmi',
      'pregnancy-status',
      'hcg',
    ),
    status: observationStatus,
    date: obsDate,
    value: fc.integer({ min: 0, max: 100000 }),
    pain: reading(0, 10),
    odi: reading(0, 100),
    tscore: fc.oneof(
      fc.integer({ min: -45, max: 30 }).map((n) => n / 10),
      fc.constantFrom(-60, 45, undefined),
    ),
    tcode: fc.constantFrom('38267-1', '38264-8', '38263-0', '38265-5'),
    systolic: reading(60, 250),
    diastolic: reading(30, 150),
    bmi: reading(12, 70),
    answer: fc.constantFrom('LA15173-0', 'LA26683-5', 'LA4489-6'),
  })
  .map((o) => {
    const base = {
      resourceType: 'Observation' as const,
      status: o.status,
      subject: { reference: `Patient/${PID}` },
      ...(o.date !== undefined ? { effectiveDateTime: days(o.date) } : {}),
    };
    switch (o.kind) {
      case 'pain':
        return { ...base, ...quantity('72514-3', o.pain, '{score}') };
      case 'odi':
        return {
          ...base,
          code: {
            coding: [
              {
                system: 'https://fhir.spine-cds.example/CodeSystem/spine-cds-local',
                code: 'oswestry-disability-index',
              },
            ],
          },
          ...(o.odi !== undefined ? { valueQuantity: { value: o.odi, unit: '%' } } : {}),
        };
      case 'tscore':
        return { ...base, ...quantity(o.tcode, o.tscore, '{T-score}') };
      case 'bp':
        return {
          ...base,
          code: { coding: [{ system: LN, code: '85354-9' }] },
          component: [quantity('8480-6', o.systolic, 'mm[Hg]'), quantity('8462-4', o.diastolic, 'mm[Hg]')],
        };
      case 'systolic':
        return { ...base, ...quantity('8480-6', o.systolic, 'mm[Hg]') };
      case 'bmi':
        return { ...base, ...quantity('39156-5', o.bmi, 'kg/m2') };
      default:
        return {
          ...base,
          code: { coding: [{ system: LN, code: o.kind === 'hcg' ? '2106-3' : '82810-3' }] },
          valueCodeableConcept: { coding: [{ system: LN, code: o.answer }] },
        };
    }
  });

const procedureArb: fc.Arbitrary<Omit<Procedure, 'id'>> = fc
  .record({
    coding: fc.constantFrom(...(valueSets.get('spinal-surgery-procedure') as CodeList).codes, {
      system: 'http://snomed.info/sct',
      code: '80146002',
      display: 'Appendectomy',
    }),
    status: fc.constantFrom<Procedure['status']>(
      'completed',
      'completed',
      'in-progress',
      'not-done',
      'entered-in-error',
      'preparation',
    ),
    date: fc.option(daysAgo, { freq: 8, nil: undefined }),
  })
  .map((p) => ({
    resourceType: 'Procedure' as const,
    status: p.status,
    subject: { reference: `Patient/${PID}` },
    code: { coding: [p.coding] },
    ...(p.date !== undefined ? { performedDateTime: days(p.date) } : {}),
  }));

const medicationArb: fc.Arbitrary<Omit<MedicationRequest, 'id'>> = fc
  .record({
    coding: fc.constantFrom(...(valueSets.get('anticoagulant-medication') as CodeList).codes.slice(0, 12), {
      system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
      code: '197361',
      display: 'amlodipine 5 MG Oral Tablet',
    }),
    status: fc.constantFrom<MedicationRequest['status']>(
      'active',
      'active',
      'on-hold',
      'stopped',
      'completed',
      'entered-in-error',
    ),
  })
  .map((m) => ({
    resourceType: 'MedicationRequest' as const,
    status: m.status,
    intent: 'order' as const,
    subject: { reference: `Patient/${PID}` },
    medicationCodeableConcept: { coding: [m.coding] },
    authoredOn: days(100),
  }));

const ORDER_CODES: Coding[] = [
  { system: 'http://www.ama-assn.org/go/cpt', code: '97012', display: 'Mechanical traction' },
  {
    system: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
    code: 'S9090',
    display: 'Vertebral axial decompression',
  },
  {
    system: 'https://fhir.spine-cds.example/CodeSystem/spine-cds-local',
    code: 'inversion-therapy',
    display: 'Inversion therapy',
  },
  { system: 'http://www.ama-assn.org/go/cpt', code: '62322', display: 'Lumbar epidural injection' },
  { system: 'http://snomed.info/sct', code: '308447003', display: 'Referral to physiotherapist' },
  { system: 'http://www.ama-assn.org/go/cpt', code: '72148', display: 'MRI lumbar spine without contrast' },
  { system: 'http://snomed.info/sct', code: '308482002', display: 'Referral to neurosurgeon' },
  { system: 'http://loinc.org', code: '58410-2', display: 'CBC panel' },
];

interface Generated {
  patient: Patient;
  conditions: Condition[];
  observations: Observation[];
  procedures: Procedure[];
  medications: MedicationRequest[];
  hook: HookName;
  orders: ServiceRequest[];
  selections: string[];
  /** How each optional prefetch key is sent: as the EHR's searchset, null ("no data"), or left out (unavailable). */
  optional: Record<'observations' | 'procedures' | 'medications', 'sent' | 'null' | 'omitted'>;
}

const withIds = <T extends object>(prefix: string, items: T[]) =>
  items.map((item, i) => ({ ...item, id: `${prefix}-${i}` }));
const keyMode = fc.constantFrom<'sent' | 'null' | 'omitted'>('sent', 'sent', 'sent', 'sent', 'null', 'omitted');

const generatedArb: fc.Arbitrary<Generated> = fc
  .record({
    gender: fc.constantFrom<Patient['gender'] | undefined>('male', 'female', 'female', 'other', 'unknown', undefined),
    age: fc.option(fc.integer({ min: 14, max: 97 }), { freq: 10, nil: undefined }),
    conditions: fc.array(conditionArb, { maxLength: 7 }),
    observations: fc.array(observationArb, { maxLength: 8 }),
    procedures: fc.array(procedureArb, { maxLength: 2 }),
    medications: fc.array(medicationArb, { maxLength: 2 }),
    hook: fc.constantFrom<HookName>('patient-view', 'patient-view', 'order-select', 'order-sign'),
    orderCodes: fc.uniqueArray(fc.constantFrom(...ORDER_CODES), { minLength: 1, maxLength: 4 }),
    selectionMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    optional: fc.record({ observations: keyMode, procedures: keyMode, medications: keyMode }),
  })
  .map((g) => {
    const orders: ServiceRequest[] =
      g.hook === 'patient-view'
        ? []
        : g.orderCodes.map((coding, i) => ({
            resourceType: 'ServiceRequest',
            id: `order-${i}`,
            status: 'draft',
            intent: 'order',
            subject: { reference: `Patient/${PID}` },
            code: { coding: [coding], text: coding.display },
          }));
    const chosen = orders.filter((_order, i) => g.selectionMask[i]);
    const selections = (chosen.length > 0 ? chosen : orders.slice(0, 1)).map((order) => `ServiceRequest/${order.id}`);
    const birthDate =
      g.age === undefined
        ? undefined
        : new Date(Date.UTC(NOW.getUTCFullYear() - g.age, 0, 15)).toISOString().slice(0, 10);
    return {
      patient: {
        resourceType: 'Patient',
        id: PID,
        ...(g.gender ? { gender: g.gender } : {}),
        ...(birthDate ? { birthDate } : {}),
      },
      conditions: withIds('c', g.conditions) as Condition[],
      observations: withIds('o', g.observations) as Observation[],
      procedures: withIds('p', g.procedures) as Procedure[],
      medications: withIds('m', g.medications) as MedicationRequest[],
      hook: g.hook,
      orders,
      selections: g.hook === 'order-select' ? selections : [],
      optional: g.optional,
    };
  });

// ---------------------------------------------------------------------------------------------------------------
// Running one generated patient through the real pipeline

const NO_FETCH = offlineFetchSettings('tests read only the request');

function requestFor(g: Generated): Record<string, unknown> {
  const scenario: Scenario = {
    name: 'generated',
    description: 'generated',
    now: NOW.toISOString(),
    hook: g.hook,
    patientId: PID,
    resources: [g.patient, ...g.conditions, ...g.observations, ...g.procedures, ...g.medications] as Resource[],
    ...(g.hook !== 'patient-view' ? { draftOrders: g.orders } : {}),
    ...(g.hook === 'order-select' ? { selections: g.selections } : {}),
    expect: { cards: [], absent: [] },
  };
  const body = buildHookRequest(scenario, ruleSet);
  const prefetch = body.prefetch as Record<string, unknown>;
  for (const [key, mode] of Object.entries(g.optional)) {
    if (mode === 'null') prefetch[key] = null;
    if (mode === 'omitted') delete prefetch[key];
  }
  return body;
}

/** What the service could see: the prefetch as sent (the EHR's filters applied, null or omitted keys empty). */
function visibleData(body: Record<string, unknown>): Visible {
  const prefetch = body.prefetch as Record<string, { entry?: Array<{ resource: Resource }> } | null | undefined>;
  const entries = (key: string) =>
    prefetch[key] ? (prefetch[key]?.entry ?? []).map((entry) => entry.resource) : undefined;
  return {
    conditions: (entries('conditions') ?? []) as Condition[],
    observations: entries('observations') as Observation[] | undefined,
    procedures: entries('procedures') as Procedure[] | undefined,
  };
}

function orderedModalities(g: Generated): Set<Modality> {
  const inContext =
    g.hook === 'order-select'
      ? g.orders.filter((order) => g.selections.includes(`ServiceRequest/${order.id}`))
      : g.orders;
  return new Set(inContext.flatMap(modalitiesOfOrder));
}

/** The rules behind a card: its own, or those a card group gathered (`spine-cds.rules`). */
const rulesOf = (card: Card) =>
  ((card.extension?.['spine-cds.rules'] as string[]) ?? []).map((name) => RULES.get(name));
const createdResources = (card: Card) =>
  (card.suggestions ?? []).flatMap((s) => (s.actions ?? []).filter((a) => a.type === 'create').map((a) => a.resource));

async function evaluate(g: Generated) {
  const body = requestFor(g);
  const { response } = await handleHookCall(g.hook, body, { ruleSet, fetchSettings: NO_FETCH, now: () => NOW });
  return { body, response };
}

describe('generated patients', () => {
  test(`no card recommends or offers a modality that an absolute contraindication rules out; \
every response is valid; nothing throws`, async () => {
    let withAbsolute = 0;
    let cardsSeen = 0;
    await fc.assert(
      fc.asyncProperty(generatedArb, async (g) => {
        // (c) never throws for a valid request
        const { body, response } = await evaluate(g);
        // (b) every response passes the CDS Hooks check
        expect(responseViolations(response)).toEqual([]);

        const absolute = absoluteContraindications(visibleData(body));
        if (absolute.size > 0) withAbsolute++;
        cardsSeen += response.cards.length;
        for (const card of response.cards) {
          const rules = rulesOf(card);
          expect(rules.length).toBeGreaterThan(0);
          for (const rule of rules) {
            expect(rule).toBeDefined();
            // (a) no step card (nor a card group's item) for a modality that is absolutely contraindicated...
            if (rule?.card.kind === 'step' && absolute.has(rule.card.modality as Modality)) {
              throw new Error(
                `step card "${rule.name}" shown although ${rule.card.modality} is absolutely contraindicated`,
              );
            }
          }
          // ...and no suggestion that creates an order for it.
          for (const resource of createdResources(card)) {
            const offered = modalitiesOfOrder(resource as ServiceRequest).filter((modality) => absolute.has(modality));
            if (offered.length > 0)
              throw new Error(
                `card "${card.source.topic?.code}" offers ${offered.join(', ')} although absolutely contraindicated`,
              );
          }
        }
        // An ordered modality that is absolutely contraindicated gets its critical contraindication card.
        for (const modality of orderedModalities(g)) {
          if (!absolute.has(modality)) continue;
          const critical = response.cards.some((card) =>
            rulesOf(card).some(
              (rule) =>
                rule?.card.kind === 'contraindication' &&
                rule.card.modality === modality &&
                card.indicator === 'critical',
            ),
          );
          if (!critical)
            throw new Error(
              `${modality} is ordered and absolutely contraindicated, but no critical contraindication card was shown`,
            );
        }
        // Traction, decompression and inversion are never positively recommended, whatever the patient.
        for (const card of response.cards) {
          for (const resource of createdResources(card)) {
            const offered = modalitiesOfOrder(resource as ServiceRequest).filter(
              (modality) => modality === 'traction' || modality === 'inversion',
            );
            if (offered.length > 0)
              throw new Error(`card "${card.source.topic?.code}" proposes ordering ${offered.join(', ')}`);
          }
        }
      }),
      { numRuns: 400, seed: Number(process.env.PROPERTY_SEED ?? 20261121) },
    );
    // The generator must actually exercise the property, not only trivial patients.
    expect(withAbsolute).toBeGreaterThan(40);
    expect(cardsSeen).toBeGreaterThan(200);
  }, 60_000);
});
