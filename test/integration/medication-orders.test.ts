import { randomUUID } from 'node:crypto';
import type { Bundle, MedicationRequest, Resource } from '@medplum/fhirtypes';
import { citedReferences, FHIR_REFERENCE } from '../support/cards';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { postJson, startService, type RunningService } from '../support/spine-service';
import { condition, medicationRequest, patient, RXNORM, SNOMED } from '../fixtures/fhir';

/**
 * Medication orders (issue 17) over real HTTP: the EHR sends MedicationRequest drafts, the service reads the record
 * from the embedded FHIR server, as in the CDS Hooks Sandbox's Rx View.
 */
let fhir: FhirTestServer;
let service: RunningService;

const LOW_BACK_PAIN = [SNOMED, '279039007', 'Low back pain (finding)'] as const;
const DIAZEPAM = [RXNORM, '563026', 'Diazepam [Valium]'] as const;

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
  ]);
  service = await startService({ SPINE_CDS_FHIR_SERVERS: fhir.baseUrl });
});

afterAll(async () => {
  await service.close();
  await fhir.close();
});

/** A MedicationRequest as the Sandbox's Rx View drafts it: RxNorm medicationCodeableConcept and a dosage. */
function rxViewDraft(patientId: string, code: string, display: string): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: `request-${randomUUID()}`,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    medicationCodeableConcept: { text: display, coding: [{ system: RXNORM, code, display }] },
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
