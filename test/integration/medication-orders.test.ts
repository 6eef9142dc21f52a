import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Medication, MedicationRequest, Resource, ValueSet } from '@medplum/fhirtypes';
import { citedReferences, FHIR_REFERENCE } from '../support/cards';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { postJson, startService, type RunningService } from '../support/spine-service';
import { condition, draftServiceRequest, LOINC, medicationRequest, patient, RXNORM, SNOMED } from '../fixtures/fhir';

/**
 * Medication orders (issue 17) over real HTTP: the EHR sends MedicationRequest drafts, the service reads the record
 * from the embedded FHIR server, as in the CDS Hooks Sandbox's Rx View.
 */
let fhir: FhirTestServer;
let service: RunningService;

const LOW_BACK_PAIN = [SNOMED, '279039007', 'Low back pain (finding)'] as const;
const DIAZEPAM = [RXNORM, '563026', 'Diazepam [Valium]'] as const;
const SCIATICA = [SNOMED, '23056005', 'Sciatica (disorder)'] as const;
const WARFARIN = [RXNORM, '855332', 'warfarin sodium 5 MG Oral Tablet'] as const;

const chronicBackPain = (id: string): Resource[] => [
  patient(id, '1971-02-03', 'male'),
  condition(id, `${id}-lbp`, [...LOW_BACK_PAIN], { onset: '2026-03-01' }),
];

beforeAll(async () => {
  fhir = await startFhirTestServer();
  await fhir.load([
    ...chronicBackPain('rx-chronic'),
    ...chronicBackPain('rx-benzo'),
    medicationRequest('rx-benzo', 'rx-benzo-diazepam', [...DIAZEPAM], '2026-06-01'),
    patient('rx-no-back-pain', '1971-02-03', 'male'),
    ...chronicBackPain('rx-warfarin'),
    medicationRequest('rx-warfarin', 'rx-warfarin-1', [...WARFARIN], '2026-06-01'),
    patient('rx-sciatica', '1971-02-03', 'male'),
    condition('rx-sciatica', 'rx-sciatica-1', [...SCIATICA], { onset: '2026-03-01' }),
  ]);
  service = await startService({ SPINE_CDS_FHIR_SERVERS: fhir.baseUrl });
});

afterAll(async () => {
  await service.close();
  await fhir.close();
});

type DraftMedication = Pick<MedicationRequest, 'medicationCodeableConcept' | 'medicationReference' | 'contained'>;

function medicationRequestDraft(patientId: string, medication: DraftMedication): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: `request-${randomUUID()}`,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    ...medication,
  };
}

/** A MedicationRequest as the Sandbox's Rx View drafts it: RxNorm medicationCodeableConcept and a dosage. */
function rxViewDraft(patientId: string, code: string, display: string): MedicationRequest {
  return {
    ...medicationRequestDraft(patientId, {
      medicationCodeableConcept: { text: display, coding: [{ system: RXNORM, code, display }] },
    }),
    dosageInstruction: [
      {
        doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
        timing: { repeat: { frequency: 4, period: 1, periodUnit: 'd' } },
      },
    ],
  };
}

const OXYCODONE = ['1049221', 'Acetaminophen 325 MG / oxyCODONE Hydrochloride 5 MG Oral Tablet'] as const;

async function call(hook: 'order-select' | 'order-sign', patientId: string, drafts: Resource[], selected?: string[]) {
  const draftOrders: Bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: drafts.map((resource) => ({ resource })),
  };
  const response = await postJson(`${service.baseUrl}/cds-services/spine-${hook}`, {
    hook,
    hookInstance: randomUUID(),
    fhirServer: fhir.baseUrl,
    context: {
      userId: 'Practitioner/dr-1',
      patientId,
      draftOrders,
      ...(selected ? { selections: selected } : {}),
    },
  });
  expect(response.status).toBe(200);
  return response.body.cards as Array<Record<string, any>>;
}

const ruleOf = (card: Record<string, any>) => card.source.topic.code as string;

test('order-select: an opioid drafted in the Rx View for chronic low back pain gets the NICE opioid card', async () => {
  const draft = rxViewDraft('rx-chronic', ...OXYCODONE);
  const cards = await call('order-select', 'rx-chronic', [draft], [`MedicationRequest/${draft.id}`]);

  expect(cards.map(ruleOf)).toEqual(['opioid-chronic-low-back-pain']);
  const [card] = cards;
  expect(card.indicator).toBe('warning');
  expect(card.summary).toMatch(/^Opioid ordered for chronic low back pain/);
  expect(citedReferences(card)).toContain(`MedicationRequest/${draft.id}`);
  expect(card.detail).not.toMatch(FHIR_REFERENCE);
  expect(card.detail).toContain('oxyCODONE');
  expect(card.source.url).toBe('https://www.nice.org.uk/guidance/ng59');
  const actions = card.suggestions.flatMap((suggestion: any) => suggestion.actions);
  expect(actions).toContainEqual(
    expect.objectContaining({ type: 'delete', resourceId: `MedicationRequest/${draft.id}` }),
  );
  expect(actions).toContainEqual(
    expect.objectContaining({ type: 'create', resource: expect.objectContaining({ resourceType: 'ServiceRequest' }) }),
  );
  expect(card.overrideReasons.map((reason: any) => reason.code)).toEqual(
    expect.arrayContaining(['alternatives-tried', 'palliative-or-cancer-pain', 'specialist-advice']),
  );
});

test('order-select checks only the selected medication draft', async () => {
  const opioid = rxViewDraft('rx-chronic', ...OXYCODONE);
  const ibuprofen = rxViewDraft('rx-chronic', '310965', 'Ibuprofen 200 MG Oral Tablet');
  const cards = await call('order-select', 'rx-chronic', [opioid, ibuprofen], [`MedicationRequest/${ibuprofen.id}`]);
  expect(cards).toEqual([]);
});

test('order-sign: an opioid with an active benzodiazepine gets the respiratory depression warning', async () => {
  const draft = rxViewDraft('rx-benzo', ...OXYCODONE);
  const cards = await call('order-sign', 'rx-benzo', [draft]);
  expect(cards.map(ruleOf).sort()).toEqual(['opioid-chronic-low-back-pain', 'opioid-with-benzodiazepine']);
  const benzo = cards.find((card) => ruleOf(card) === 'opioid-with-benzodiazepine')!;
  expect(benzo.indicator).toBe('warning');
  expect(citedReferences(benzo)).toContain('MedicationRequest/rx-benzo-diazepam');
});

test('a contained Medication and one sent beside the draft are read like medicationCodeableConcept', async () => {
  const gabapentin = { coding: [{ system: RXNORM, code: '25480', display: 'gabapentin' }] };
  const contained: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: 'contained-gabapentin',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/rx-chronic' },
    contained: [{ resourceType: 'Medication', id: 'med', code: gabapentin }],
    medicationReference: { reference: '#med' },
  };
  const referenced: MedicationRequest = {
    ...contained,
    id: 'referenced-gabapentin',
    contained: undefined,
    medicationReference: { reference: 'Medication/gaba-1' },
  };
  for (const drafts of [[contained], [referenced, { resourceType: 'Medication', id: 'gaba-1', code: gabapentin }]]) {
    const cards = await call('order-sign', 'rx-chronic', drafts as Resource[]);
    expect(cards.map(ruleOf)).toEqual(['anticonvulsant-low-back-pain']);
  }
});

test('no back pain on record: an opioid order gets no card', async () => {
  const cards = await call('order-sign', 'rx-no-back-pain', [rxViewDraft('rx-no-back-pain', ...OXYCODONE)]);
  expect(cards).toEqual([]);
});

/**
 * Products the drug-class ValueSets do not list (RxNorm adds products every month; these codes stand for such a
 * product): recognised by the ingredient names each ValueSet declares, and the card says so.
 */
describe('products the drug-class ValueSets do not list', () => {
  const UNLISTED = '99990001';

  function listedCodes(valueSetId: string): string[] {
    const file = path.join(__dirname, '../../fhir-profiles/valuesets', `${valueSetId}.json`);
    const valueSet = JSON.parse(readFileSync(file, 'utf8')) as ValueSet;
    return (valueSet.compose?.include ?? []).flatMap((include) => (include.concept ?? []).map(({ code }) => code));
  }

  const drugClasses = ['opioid', 'nsaid', 'paracetamol', 'gabapentinoid', 'oral-corticosteroid'];

  beforeAll(() => {
    for (const drugClass of drugClasses) expect(listedCodes(`${drugClass}-medication`)).not.toContain(UNLISTED);
  });

  const medicationDraft = (patientId: string, medication: Medication): MedicationRequest =>
    medicationRequestDraft(patientId, {
      contained: [medication],
      medicationReference: { reference: `#${medication.id}` },
    });

  test.each([
    ['clinical drug (SCD)', 'oxycodone hydrochloride 7.5 MG Oral Tablet'],
    ['branded drug (SBD)', 'oxycodone hydrochloride 7.5 MG Oral Tablet [Oxaydo]'],
  ])('an opioid %s is recognised by the ingredient name in its RxNorm display', async (_kind, display) => {
    const draft = rxViewDraft('rx-chronic', UNLISTED, display);
    const cards = await call('order-select', 'rx-chronic', [draft], [`MedicationRequest/${draft.id}`]);
    expect(cards.map(ruleOf)).toEqual(['opioid-chronic-low-back-pain']);
    // Markdown escapes the brand's brackets.
    expect(cards[0].detail.replace(/\\/g, '')).toContain(`${display} (recognised by ingredient name: oxycodone)`);
    const actions = cards[0].suggestions.flatMap((suggestion: any) => suggestion.actions);
    expect(actions).toContainEqual(
      expect.objectContaining({ type: 'delete', resourceId: `MedicationRequest/${draft.id}` }),
    );
  });

  test(`a combination product counts for each of its \
ingredients: opioid card and NSAID-with-anticoagulant card`, async () => {
    const display = 'ibuprofen 300 MG / oxycodone hydrochloride 7.5 MG Oral Tablet';
    const cards = await call('order-sign', 'rx-warfarin', [rxViewDraft('rx-warfarin', UNLISTED, display)]);
    expect(cards.map(ruleOf).sort()).toEqual(['nsaid-ordered-with-caution', 'opioid-chronic-low-back-pain']);
    const nsaid = cards.find((card) => ruleOf(card) === 'nsaid-ordered-with-caution')!;
    expect(nsaid.summary).toContain('anticoagulant');
    expect(nsaid.detail).toContain(`${display} (recognised by ingredient name: ibuprofen)`);
    const opioid = cards.find((card) => ruleOf(card) === 'opioid-chronic-low-back-pain')!;
    expect(opioid.detail).toContain(`${display} (recognised by ingredient name: oxycodone)`);
  });

  test(`a Medication is recognised by its ingredients' \
codes or names when its own code means nothing here`, async () => {
    const formulary = { text: 'Formulary item 4471', coding: [{ system: 'urn:oid:1.2.3.4', code: '4471' }] };
    const compounded: Medication = {
      resourceType: 'Medication',
      id: 'med',
      code: formulary,
      ingredient: [
        { itemCodeableConcept: { coding: [{ system: RXNORM, code: '7804', display: 'oxycodone' }] } },
        { itemCodeableConcept: { text: 'acetaminophen' } },
      ],
    };
    const opioidCards = await call('order-sign', 'rx-chronic', [medicationDraft('rx-chronic', compounded)]);
    // Paracetamol is recognised too, but with an opioid in the same order it is not "paracetamol alone".
    expect(opioidCards.map(ruleOf)).toEqual(['opioid-chronic-low-back-pain']);
    expect(opioidCards[0].detail).toContain('Formulary item 4471 (recognised by ingredient code: oxycodone (7804))');

    const pregabalin: Medication = {
      resourceType: 'Medication',
      id: 'med',
      code: formulary,
      ingredient: [{ itemReference: { reference: 'Substance/s-1', display: 'Pregabalin' } }],
    };
    const cards = await call('order-sign', 'rx-chronic', [medicationDraft('rx-chronic', pregabalin)]);
    expect(cards.map(ruleOf)).toEqual(['anticonvulsant-low-back-pain']);
    expect(cards[0].detail).toContain('(recognised by ingredient name: pregabalin)');
  });

  test(`a dose form the ValueSet excludes is not \
recognised by name: ophthalmic prednisolone is no oral steroid`, async () => {
    const eyeDrops = rxViewDraft('rx-sciatica', UNLISTED, 'prednisolone acetate 10 MG/ML Ophthalmic Suspension');
    expect(await call('order-sign', 'rx-sciatica', [eyeDrops])).toEqual([]);
    const tablets = rxViewDraft('rx-sciatica', UNLISTED, 'prednisolone 7 MG Oral Tablet');
    expect((await call('order-sign', 'rx-sciatica', [tablets])).map(ruleOf)).toEqual(['sciatica-drugs-not-offered']);
  });

  test('a drug of no class, or a medication nobody can read, gets no card and no error', async () => {
    const amoxicillin = rxViewDraft('rx-chronic', UNLISTED, 'amoxicillin 500 MG Oral Capsule');
    const unreadable = {
      ...rxViewDraft('rx-chronic', UNLISTED, 'x'),
      medicationCodeableConcept: { text: 42, coding: 'oxycodone' },
    } as unknown as MedicationRequest;
    const oddMedication = medicationDraft('rx-chronic', {
      resourceType: 'Medication',
      id: 'med',
      code: { coding: [null, 7, { display: 99 }] },
      ingredient: [null, 7, { itemCodeableConcept: 'oxycodone' }, { itemReference: 'oxycodone' }],
    } as unknown as Medication);
    const oddContained = {
      ...rxViewDraft('rx-chronic', UNLISTED, 'amoxicillin 500 MG Oral Capsule'),
      contained: [null, 'med'],
      medicationReference: { reference: '#med' },
    } as unknown as MedicationRequest;
    const containedNoList = { ...oddContained, contained: 'med' } as unknown as MedicationRequest;
    const numericReference = { ...oddContained, medicationReference: { reference: 7 } } as unknown as MedicationRequest;
    const noIngredientList = medicationDraft('rx-chronic', {
      resourceType: 'Medication',
      id: 'med',
      ingredient: 'oxycodone',
    } as unknown as Medication);
    // Only medications are recognised by ingredient name: a test that names a drug is no prescription of it.
    const urineTest = draftServiceRequest('rx-chronic', 'urine-oxycodone', [
      LOINC,
      '99990-1',
      'Oxycodone [Presence] in Urine',
    ]);
    const drafts = [amoxicillin, unreadable, oddMedication, oddContained, containedNoList, numericReference];
    for (const draft of [...drafts, noIngredientList, urineTest]) {
      expect(await call('order-sign', 'rx-chronic', [draft])).toEqual([]);
    }
  });
});
