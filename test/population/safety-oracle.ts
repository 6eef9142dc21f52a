import type { Condition, MedicationRequest, Observation, Patient, Procedure, Resource } from '@medplum/fhirtypes';
import {
  ANKLE_SITE,
  CONDITIONS,
  MEDICATIONS,
  MODALITIES,
  OBSERVATIONS,
  type Code,
  type ConditionGroup,
  type Modality,
} from './clinical-lists';

/**
 * The safety oracle: what docs/clinical.md demands of any answer, worked out from the patient's FHIR data alone
 * (own code lists, own status logic; nothing from rules/ or src/clinical). Design choices that docs/clinical.md
 * leaves open use the values it names: a "new" episode is at most 6 weeks old (its conservative-care trial),
 * "older age" is 70+, vitals count for 365 days, "recent" spinal surgery is within 12 months.
 *
 * New checks (issue 16: fractures by level, antiplatelet injection checks, infection and immunosuppression) are a
 * new entry in RED_FLAGS or CONTRAINDICATIONS, or a new function in CHECKS.
 */

const DAY_MS = 86_400_000;
const NEW_EPISODE_WEEKS = 6;
const OLDER_AGE = 70;
const VITALS_DAYS = 365;
const RECENT_SURGERY_DAYS = 365;

export interface Card {
  uuid?: unknown;
  summary?: unknown;
  detail?: unknown;
  indicator?: unknown;
  source?: { label?: unknown; url?: unknown };
  suggestions?: Array<{
    label?: unknown;
    uuid?: unknown;
    actions?: Array<{ type?: unknown; description?: unknown; resource?: Resource; resourceId?: unknown }>;
  }>;
  selectionBehavior?: unknown;
  overrideReasons?: unknown;
}

/** What docs/clinical.md says is true of this patient. */
export interface Truth {
  deceased: boolean;
  redFlags: Array<{ name: string; names: RegExp }>;
  /** Per modality, each contraindication present, absolute or relative, with how a summary names it. */
  contraindications: Record<Modality, Array<{ name: string; absolute: boolean; names: RegExp }>>;
  nsaidCautions: Array<{ name: string; names: RegExp }>;
}

export function truthOf(resources: Resource[], now: Date): Truth {
  const ofType = <T extends Resource>(type: string) => resources.filter((r) => r.resourceType === type) as T[];
  const patient = ofType<Patient>('Patient')[0] as Patient;
  const conditions = ofType<Condition>('Condition');
  // Issue 16 item 8: arthrodesis status (Z98.1) is a fusion of any joint; it is spinal only with a spinal body site.
  const elsewhere = (c: Condition) => (c.bodySite ?? []).some((site) => site.text === ANKLE_SITE.text);
  const has = (group: ConditionGroup, when: 'active' | 'past' | 'any') =>
    conditions.some(
      (c) =>
        inGroup(c, CONDITIONS[group]) &&
        (group !== 'fusionStatus' || !elsewhere(c)) &&
        notErroneous(c) &&
        (when === 'any' || isActive(c, now) === (when === 'active')),
    );
  const active = (group: ConditionGroup) => has(group, 'active');

  const age = (now.getTime() - Date.parse(patient.birthDate as string)) / (365.25 * DAY_MS);
  // Issue 16 item 5: pain is new when any active back pain code began recently, even beside an old active one.
  const newestOnset = Math.max(
    ...conditions
      .filter((c) => inGroup(c, CONDITIONS.backPain) && isActive(c, now))
      .map((c) => Date.parse(c.onsetDateTime as string)),
  );
  const newEpisode = (now.getTime() - newestOnset) / (7 * DAY_MS) <= NEW_EPISODE_WEEKS;

  const observations = ofType<Observation>('Observation').filter((o) =>
    ['final', 'amended', 'corrected', 'preliminary'].includes(o.status),
  );
  const recent = (o: Observation) =>
    (now.getTime() - Date.parse(o.effectiveDateTime as string)) / DAY_MS <= VITALS_DAYS;
  const latest = (code: string): number | undefined => {
    const readings = observations.flatMap((o) => {
      const values = [
        ...(o.code?.coding?.some((c) => c.code === code) && o.valueQuantity?.value !== undefined
          ? [o.valueQuantity.value]
          : []),
        ...(o.component ?? [])
          .filter((c) => c.code?.coding?.some((x) => x.code === code))
          .map((c) => c.valueQuantity?.value as number),
      ];
      return values.map((value) => ({ value, time: Date.parse(o.effectiveDateTime as string), o }));
    });
    const newest = readings.sort((a, b) => b.time - a.time)[0];
    return newest && recent(newest.o) ? newest.value : undefined;
  };
  const systolic = latest(OBSERVATIONS.systolic);
  const diastolic = latest(OBSERVATIONS.diastolic);
  const bmi = latest(OBSERVATIONS.bmi);
  const tScores = observations
    .filter((o) => o.code?.coding?.some((c) => OBSERVATIONS.tScore.includes(c.code as string)))
    .map((o) => o.valueQuantity?.value as number);
  const lowestT = tScores.length > 0 ? Math.min(...tScores) : undefined;

  const medications = ofType<MedicationRequest>('MedicationRequest').filter(
    (m) => m.status === 'active' || m.status === 'on-hold',
  );
  const prescribed = (codes: Code[]) =>
    medications.some((m) => m.medicationCodeableConcept?.coding?.some((c) => codes.some((x) => x.code === c.code)));
  const surgeryDays = ofType<Procedure>('Procedure')
    .filter((p) => p.status === 'completed')
    .map((p) => (now.getTime() - Date.parse(p.performedDateTime as string)) / DAY_MS);

  const osteoporosis = active('osteoporosis') || (lowestT !== undefined && lowestT <= -2.5);
  const osteopenia = !osteoporosis && lowestT !== undefined && lowestT <= -1;
  const fracture = active('vertebralFracture');
  const tumour = active('spinalTumour');
  const infection = active('spinalInfection');
  const signs = conditions.filter((c) => inGroup(c, CONDITIONS.caudaEquinaSign) && isActive(c, now));
  const signInEpisode = signs.some((c) => Date.parse(c.onsetDateTime as string) >= newestOnset);
  const cauda = active('caudaEquina') || signInEpisode;
  const footDrop = active('footDrop');
  const aneurysm = active('aneurysm') || active('rupturedAneurysm');
  const pregnant = active('pregnancy');
  const surgery = active('fusionStatus') || surgeryDays.some((days) => days <= RECENT_SURGERY_DAYS);
  const severeBp = (systolic ?? 0) >= 160 || (diastolic ?? 0) >= 100;
  const hypertension = active('hypertension') || (systolic ?? 0) >= 140 || (diastolic ?? 0) >= 90;
  const obesity = active('obesity') || (bmi ?? 0) >= 30;
  const anticoagulant = active('anticoagulantCode') || prescribed(MEDICATIONS.anticoagulant);
  const antiplatelet = active('antiplateletCode') || prescribed(MEDICATIONS.antiplatelet);
  const immunosuppressed =
    active('immunosuppression') || active('longTermSteroids') || prescribed(MEDICATIONS.immunosuppressant);
  const activeCancer = active('cancer');
  const cancerHistory = has('cancerHistoryCode', 'any') || has('cancer', 'past') || has('spinalTumour', 'past');

  const flag = (present: boolean, name: string, names: RegExp) => (present ? [{ name, names }] : []);
  const redFlags = [
    ...flag(cauda, 'cauda equina', /cauda equina/i),
    ...flag(
      signs.length > 0 && !signInEpisode,
      'bladder or bowel sign outside the episode: ask if new',
      /cauda equina|bladder|bowel/i,
    ),
    ...flag(footDrop, 'foot drop', /foot drop/i),
    ...flag(infection, 'spinal infection', /infection/i),
    ...flag(tumour, 'spinal tumour or metastasis', /tumou?r|metasta|malignan|cancer/i),
    ...flag(activeCancer, 'active cancer of any site', /cancer|malignan|metasta/i),
    // Issue 16 item 4: a cancer history counts for the whole episode (new pain: a warning; persisting or at night:
    // suspected spinal metastases), so every patient with back pain and the history is flagged.
    ...flag(cancerHistory, 'history of cancer with back pain', /cancer|malignan/i),
    ...flag(fracture, 'vertebral fracture', /fracture/i),
    ...flag(
      newEpisode && (osteoporosis || active('longTermSteroids') || age >= OLDER_AGE),
      'fracture risk with new pain',
      /fracture/i,
    ),
    ...flag(active('rupturedAneurysm'), 'ruptured aortic aneurysm', /aneurysm/i),
    // Issue 16: back pain with a known unruptured aneurysm may be a symptomatic aneurysm.
    ...flag(aneurysm, 'aortic aneurysm with back pain', /aneurysm/i),
    ...flag(
      immunosuppressed || active('infectionSign'),
      'suspected infection or immunosuppression',
      /infection|immunosuppress/i,
    ),
  ];

  // docs/clinical.md, "Contraindications per modality": each row with its grade per modality (A absolute, R relative).
  const table: Array<[boolean, string, RegExp, Partial<Record<Modality, 'A' | 'R'>>]> = [
    [osteoporosis, 'osteoporosis', /osteopor|T-score/i, { traction: 'A', inversion: 'A', physiotherapy: 'R' }],
    [osteopenia, 'osteopenia', /T-score|osteopen/i, { traction: 'R', inversion: 'R' }],
    [
      fracture,
      'vertebral fracture',
      /fracture/i,
      { traction: 'A', inversion: 'A', injection: 'R', physiotherapy: 'R' },
    ],
    [active('instability'), 'spinal instability', /instab/i, { traction: 'A', inversion: 'A', physiotherapy: 'R' }],
    [
      active('spondylolisthesis'),
      'spondylolisthesis',
      /spondylolisthesis/i,
      { traction: 'A', inversion: 'A', physiotherapy: 'R' },
    ],
    [active('spondylolysis'), 'spondylolysis', /spondylolysis/i, { traction: 'A', inversion: 'A', physiotherapy: 'R' }],
    [
      tumour,
      'spinal tumour',
      /tumou?r|metasta/i,
      { traction: 'A', inversion: 'A', injection: 'R', physiotherapy: 'R' },
    ],
    [
      infection,
      'spinal infection',
      /infection/i,
      { traction: 'A', inversion: 'A', injection: 'A', physiotherapy: 'A' },
    ],
    [aneurysm, 'aortic aneurysm', /aneurysm/i, { traction: 'A', inversion: 'A', physiotherapy: 'R' }],
    [pregnant, 'pregnancy', /pregnan/i, { traction: 'A', inversion: 'A', injection: 'R' }],
    [
      surgery,
      'recent spinal surgery or implant',
      /surgery|implant|fusion/i,
      { traction: 'A', inversion: 'A', injection: 'R', physiotherapy: 'R' },
    ],
    [severeBp, 'blood pressure 160/100 or more', /\bBP\b|systolic|diastolic|blood pressure/i, { traction: 'R' }],
    [hypertension, 'hypertension', /hypertension|\bBP\b|systolic|diastolic|blood pressure/i, { inversion: 'A' }],
    [active('hernia'), 'hernia', /hernia/i, { traction: 'R', inversion: 'A' }],
    [active('eyePressure'), 'glaucoma or retinal detachment', /glaucoma|retina/i, { inversion: 'A' }],
    [obesity, 'obesity', /obes|BMI/i, { traction: 'R', inversion: 'A', injection: 'R' }],
    [cauda, 'cauda equina', /cauda/i, { traction: 'A', inversion: 'A', injection: 'A', physiotherapy: 'A' }],
    [footDrop, 'foot drop', /foot drop/i, { traction: 'A', inversion: 'A', injection: 'A', physiotherapy: 'A' }],
    [anticoagulant, 'anticoagulant', /anticoag/i, { inversion: 'R', injection: 'R' }],
    // Issue 16: antiplatelets before an epidural, like anticoagulants (ASRA 2018: plan the hold).
    [antiplatelet, 'antiplatelet', /antiplatelet/i, { injection: 'R' }],
  ];
  const contraindications = Object.fromEntries(
    (Object.keys(MODALITIES) as Modality[]).map((modality) => [
      modality,
      table
        .filter(([present, , , grades]) => present && grades[modality] !== undefined)
        .map(([, name, names, grades]) => ({ name, names, absolute: grades[modality] === 'A' })),
    ]),
  ) as Truth['contraindications'];

  const nsaidCautions = [
    ...flag(anticoagulant, 'anticoagulant', /anticoag/i),
    ...flag(antiplatelet, 'antiplatelet', /antiplatelet/i),
    ...flag(active('severeKidneyDisease'), 'CKD stage 4-5', /CKD|kidney/i),
    ...flag(active('pepticUlcer'), 'peptic ulcer or GI bleeding', /ulcer|bleed/i),
    ...flag(active('heartFailure'), 'heart failure', /heart failure/i),
    ...flag(pregnant, 'pregnancy', /pregnan/i),
  ];

  const deceased = patient.deceasedBoolean === true || Boolean(patient.deceasedDateTime);
  return { deceased, redFlags, contraindications, nsaidCautions };
}

function inGroup(condition: Condition, codes: Code[]): boolean {
  return (condition.code?.coding ?? []).some((c) => codes.some((x) => x.system === c.system && x.code === c.code));
}

function notErroneous(condition: Condition): boolean {
  const verification = condition.verificationStatus?.coding?.[0]?.code;
  return verification !== 'entered-in-error' && verification !== 'refuted';
}

/** docs/clinical.md: facts about the present count active, non-refuted, non-entered-in-error, not abated conditions. */
function isActive(condition: Condition, now: Date): boolean {
  if (!notErroneous(condition)) return false;
  const status = condition.clinicalStatus?.coding?.[0]?.code;
  if (status !== undefined && !['active', 'recurrence', 'relapse'].includes(status)) return false;
  return !condition.abatementDateTime || Date.parse(condition.abatementDateTime) > now.getTime();
}

export interface Violation {
  check: string;
  message: string;
}

const text = (card: Card) => `${String(card.summary ?? '')}\n${String(card.detail ?? '')}`;
const summaryOf = (card: Card) => String(card.summary ?? '');
const SEVERE = new Set(['warning', 'critical']);

/** The checks, each by name (the counts per check are reported by name). */
export const CHECKS: Record<string, (cards: Card[], truth: Truth) => string[]> = {
  'valid CDS Hooks response': (cards) => cards.flatMap(cardProblems),
  'deceased: no cards': (cards, truth) =>
    truth.deceased && cards.length > 0 ? [`${cards.length} card(s) for a deceased patient`] : [],
  'every red flag has a warning or critical card naming it': (cards, truth) =>
    truth.deceased
      ? []
      : truth.redFlags
          .filter(
            (flag) => !cards.some((card) => SEVERE.has(card.indicator as string) && flag.names.test(summaryOf(card))),
          )
          .map((flag) => `red flag "${flag.name}" has no warning/critical card naming it`),
  'never "no red flags" with one positive': (cards, truth) =>
    truth.redFlags.length === 0
      ? []
      : cards
          .filter((card) => /no red flags?\b|red flags?: none/i.test(summaryOf(card)))
          .map((card) => `"${summaryOf(card)}" while ${truth.redFlags.map((f) => f.name).join(', ')}`),
  'nothing recommended, suggested or ordered under an absolute contraindication': (cards, truth) =>
    (Object.keys(MODALITIES) as Modality[]).flatMap((modality) => {
      const absolute = truth.contraindications[modality].filter((c) => c.absolute);
      if (absolute.length === 0) return [];
      const orders = MODALITIES[modality].orders;
      const created = cards.flatMap((card) =>
        (card.suggestions ?? [])
          .flatMap((s) =>
            (s.actions ?? []).filter(
              (a) => a.type === 'create' && codesOf(a.resource).some((c) => orders.some((o) => o.code === c)),
            ),
          )
          .map(() => `a suggestion orders ${modality} under ${absolute.map((c) => c.name).join(', ')}`),
      );
      const mild = cards
        .filter((card) => MODALITIES[modality].about.test(summaryOf(card)) && card.indicator !== 'critical')
        .map(
          (card) =>
            `"${summaryOf(card)}" [${String(card.indicator)}] about ${modality} ` +
            `under ${absolute.map((c) => c.name).join(', ')}`,
        );
      return [...created, ...mild];
    }),
  'every contraindication stated in the summary of each card about its modality': (cards, truth) =>
    (Object.keys(MODALITIES) as Modality[]).flatMap((modality) =>
      cards
        .filter((card) => MODALITIES[modality].about.test(summaryOf(card)))
        .flatMap((card) =>
          truth.contraindications[modality]
            .filter((c) => !c.names.test(summaryOf(card)))
            .map((c) => `"${summaryOf(card)}" does not name ${c.name} (${c.absolute ? 'absolute' : 'relative'})`),
        ),
    ),
  'no NSAID advice under a caution': (cards, truth) =>
    truth.nsaidCautions.length === 0
      ? []
      : cards
          .filter((card) => /NSAID/i.test(text(card)))
          .flatMap((card) => {
            const unnamed = truth.nsaidCautions.filter((c) => !c.names.test(summaryOf(card)));
            const problems = unnamed.map((c) => `"${summaryOf(card)}" speaks of NSAIDs without naming ${c.name}`);
            return SEVERE.has(card.indicator as string)
              ? problems
              : [
                  ...problems,
                  `"${summaryOf(card)}" speaks of NSAIDs as info ` +
                    `under ${truth.nsaidCautions.map((c) => c.name).join(', ')}`,
                ];
          }),
};

function codesOf(resource: Resource | undefined): string[] {
  const code = (resource as { code?: { coding?: Array<{ code?: string }> } } | undefined)?.code;
  return (code?.coding ?? []).map((c) => c.code ?? '');
}

/** CDS Hooks 2.0 card rules (own reading of the specification, not the service's response check). */
function cardProblems(card: Card): string[] {
  const problems: string[] = [];
  if (typeof card.uuid !== 'string' || card.uuid === '') problems.push('card without uuid');
  if (typeof card.summary !== 'string' || card.summary === '' || card.summary.length >= 140)
    problems.push(`summary must be 1-139 characters: ${JSON.stringify(card.summary)}`);
  if (!['info', 'warning', 'critical'].includes(card.indicator as string))
    problems.push(`indicator ${String(card.indicator)}`);
  if (typeof card.source?.label !== 'string' || card.source.label === '') problems.push('source.label missing');
  for (const suggestion of card.suggestions ?? []) {
    if (typeof suggestion.label !== 'string' || suggestion.label === '') problems.push('suggestion without label');
    for (const action of suggestion.actions ?? []) {
      if (!['create', 'update', 'delete'].includes(action.type as string))
        problems.push(`action type ${String(action.type)}`);
      if (action.type === 'create' && !action.resource?.resourceType) problems.push('create action without a resource');
      if (action.type === 'delete' && typeof action.resourceId !== 'string')
        problems.push('delete action without resourceId');
    }
  }
  if (
    card.suggestions &&
    card.suggestions.length > 0 &&
    !['at-most-one', 'any'].includes(card.selectionBehavior as string)
  )
    problems.push('suggestions without selectionBehavior');
  return problems;
}

/** Every violation of every check for one response. */
export function violations(status: number, body: { cards?: Card[] } | undefined, truth: Truth): Violation[] {
  if (status !== 200 || !Array.isArray(body?.cards))
    return [
      { check: 'valid CDS Hooks response', message: `status ${status}, body ${JSON.stringify(body).slice(0, 300)}` },
    ];
  return Object.entries(CHECKS).flatMap(([check, run]) =>
    run(body.cards as Card[], truth).map((message) => ({ check, message })),
  );
}
