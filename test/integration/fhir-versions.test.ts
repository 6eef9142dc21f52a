import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Condition, Resource } from '@medplum/fhirtypes';
import { assessHookCall } from '../../src/cds/hook-service';
import { offlineFetchSettings } from '../../src/cds/prefetch';
import { dataRequirements } from '../../src/cds/services';
import { prefetchFor } from '../../src/cli/scenarios/prefetch-for';
import { PatientRecord } from '../../src/clinical/patient-record';
import { fullPrefetch, searchset } from '../fixtures/fhir';
import { citedReferences, FHIR_REFERENCE } from '../support/cards';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { requestToStu3, sampleCharts, toStu3, type SampleChart } from '../support/older-fhir';
import {
  bundledRuleSet,
  postJson,
  PROJECT_ROOT,
  startService,
  TEST_NOW,
  type RunningService,
} from '../support/spine-service';

/**
 * FHIR versions over real HTTP: the Synthea STU3 and DSTU2 samples through patient-view with full prefetch and with
 * none (the embedded server answering as an STU3 or DSTU2 server), the README example in STU3 form, contradictory
 * and unreadable data.
 */

/**
 * The Synthea patients have no back pain, so patient-view would show nothing whatever was read. Each gets a current
 * low back pain episode and pain score, in STU3 form: the pathway cards then depend on how their own conditions
 * (pregnancies, hypertension, osteoporosis, many of them recorded "active" long after they abated) are read.
 */
function withBackPainEpisode(chart: SampleChart): SampleChart {
  const subject = { reference: `Patient/${chart.patientId}` };
  const episode = [
    {
      resourceType: 'Condition',
      id: `${chart.patientId}-lbp`,
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '279039007', display: 'Low back pain' }] },
      subject,
      onsetDateTime: '2026-09-20',
      assertedDate: '2026-09-20',
    },
    {
      resourceType: 'Observation',
      id: `${chart.patientId}-pain`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '72514-3', display: 'Pain severity 0-10' }] },
      subject,
      effectiveDateTime: '2026-11-10T09:00:00Z',
      valueQuantity: { value: 7, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' },
    },
  ] as unknown as Resource[];
  return { ...chart, resources: [...chart.resources, ...episode] };
}

const stu3Charts = sampleCharts('stu3').map(withBackPainEpisode);
const dstu2Charts = sampleCharts('dstu2');
const example = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'requests', 'patient-view.json'), 'utf8'),
);
const exampleResources: Resource[] = Object.values(example.prefetch as Record<string, any>).flatMap((value) =>
  value.resourceType === 'Bundle' ? value.entry.map((entry: { resource: Resource }) => entry.resource) : [value],
);

let stu3Server: FhirTestServer;
let dstu2Server: FhirTestServer;
let r4Server: FhirTestServer;
let service: RunningService;

beforeAll(async () => {
  stu3Server = await startFhirTestServer({ fhirVersion: 'STU3' });
  dstu2Server = await startFhirTestServer({ fhirVersion: 'DSTU2' });
  r4Server = await startFhirTestServer();
  await stu3Server.load([...stu3Charts.flatMap((chart) => chart.resources), ...exampleResources.map(toStu3)]);
  await dstu2Server.load(dstu2Charts.flatMap((chart) => chart.resources));
  await r4Server.load(exampleResources);
  const servers = [stu3Server, dstu2Server, r4Server].map((server) => server.baseUrl).join(',');
  service = await startService({ SPINE_CDS_FHIR_SERVERS: servers, SPINE_CDS_FHIR_DEADLINE_MS: '5000' });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await Promise.all([stu3Server, dstu2Server, r4Server].map((server) => server?.close()));
});

beforeEach(() => [stu3Server, dstu2Server, r4Server].forEach((server) => server.reset()));

function patientView(patientId: string, extra: Record<string, unknown> = {}) {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/dr-1', patientId },
    ...extra,
  };
}

const call = (body: unknown) => postJson(`${service.baseUrl}/cds-services/spine-patient-view`, body);

/** Cards without what differs between two calls by design (ids, generated resources). */
const comparable = (body: { cards: any[] }) =>
  body.cards.map((card) => ({
    rule: card.source.topic.code,
    summary: card.summary,
    indicator: card.indicator,
    detail: card.detail,
    suggestions: card.suggestions?.map((suggestion: { label: string }) => suggestion.label),
  }));

/** What an EHR honouring the prefetch templates sends (the observations search asks for certain codes only). */
const templatePrefetch = (chart: SampleChart) =>
  prefetchFor(chart.resources, chart.patientId, dataRequirements(bundledRuleSet()));

const lastHookCallLog = () => service.logs.filter((line) => line.event === 'hook-call').at(-1);

/**
 * The patient's data in the conditions ValueSets the rules use, as the service read it: no abated condition is
 * active.
 */
async function activeConditionsAsRead(chart: SampleChart): Promise<Condition[]> {
  const ruleSet = bundledRuleSet();
  const assessment = await assessHookCall(
    'patient-view',
    patientView(chart.patientId, { prefetch: fullPrefetch(chart.resources) }),
    {
      ruleSet,
      fetchSettings: offlineFetchSettings('tests read only the request'),
      now: () => TEST_NOW,
    },
  );
  const data = assessment.data!;
  const record = new PatientRecord(
    {
      patient: data.resources.patient[0] as any,
      conditions: data.resources.conditions as Condition[],
      observations: [],
      procedures: [],
      medications: [],
      status: data.status,
    },
    ruleSet.terminology,
    TEST_NOW,
  );
  const valueSets = ruleSet.terminology.valueSetIds();
  return [
    ...new Set(valueSets.flatMap((valueSet) => record.activeConditions(valueSet).map((match) => match.resource))),
  ];
}

describe.each(stu3Charts.map((chart) => [chart.name, chart] as const))('STU3 sample %s', (_name, chart) => {
  test('full prefetch and no prefetch (STU3 server) both answer 200 with the same cards, read as STU3', async () => {
    const prefetched = await call(patientView(chart.patientId, { prefetch: templatePrefetch(chart) }));
    expect(prefetched.status).toBe(200);
    expect(lastHookCallLog()).toMatchObject({ fhirVersion: 'STU3', fhirVersionFrom: 'resources' });

    // A chart whose Patient is deceased gets no cards (the pathway is for the living); every other one gets cards.
    const patient = chart.resources.find((resource: any) => resource.resourceType === 'Patient') as any;
    if (patient.deceasedDateTime || patient.deceasedBoolean === true) expect(prefetched.body.cards).toEqual([]);
    else expect(prefetched.body.cards.length).toBeGreaterThan(0);

    const fetched = await call(patientView(chart.patientId, { fhirServer: stu3Server.baseUrl }));
    expect(fetched.status).toBe(200);
    expect(lastHookCallLog()).toMatchObject({ fhirVersion: 'STU3', fhirVersionFrom: 'capability-statement' });
    expect(comparable(fetched.body)).toEqual(comparable(prefetched.body));
  });

  test(`conditions with an abatement in the past are not \
active, whatever their STU3 status says; the others are`, async () => {
    const active = await activeConditionsAsRead(chart);
    const abated = active.filter(
      (condition) => condition.abatementDateTime && Date.parse(condition.abatementDateTime) <= TEST_NOW.getTime(),
    );
    expect(abated.map((condition) => condition.id)).toEqual([]);
    const terminology = bundledRuleSet().terminology;
    const ongoing = chart.resources.filter(
      (resource: any) =>
        resource.resourceType === 'Condition' &&
        resource.clinicalStatus === 'active' &&
        !resource.abatementDateTime &&
        resource.code.coding.some((coding: any) => terminology.valueSetsOf(coding).length > 0),
    );
    expect(active.map((condition) => condition.id)).toEqual(expect.arrayContaining(ongoing.map((c) => c.id)));
    expect(ongoing.length).toBeGreaterThan(0);
  });
});

test('the STU3 samples hold conditions recorded "active" with a past abatement (what the test above guards)', () => {
  const abatedButActive = stu3Charts.flatMap((chart) =>
    chart.resources.filter(
      (resource: any) =>
        resource.resourceType === 'Condition' && resource.clinicalStatus === 'active' && resource.abatementDateTime,
    ),
  );
  expect(abatedButActive.length).toBeGreaterThan(10);
});

test('a pregnancy recorded "active" in STU3 but abated in the past does not make the patient pregnant', async () => {
  const chart = stu3Charts.find((candidate) =>
    candidate.resources.some((resource: any) => resource.code?.coding?.[0]?.code === '72892002'),
  ) as SampleChart;
  const pregnancy = chart.resources.find((resource: any) => resource.code?.coding?.[0]?.code === '72892002') as any;
  expect(pregnancy).toMatchObject({ clinicalStatus: 'active', abatementDateTime: expect.any(String) });
  expect((await activeConditionsAsRead(chart)).map((condition) => condition.id)).not.toContain(pregnancy.id);
  // The card says so, citing the pregnancy and its end date.
  const response = await call(patientView(chart.patientId, { prefetch: templatePrefetch(chart) }));
  const note = response.body.cards.find((card: any) => card.source.topic.code === 'ended-conditions-recorded-current');
  expect(citedReferences(note)).toContain(`Condition/${pregnancy.id}`);
  expect(note?.detail).not.toMatch(FHIR_REFERENCE);
  expect(note?.detail).toContain(`ended ${pregnancy.abatementDateTime.slice(0, 10)}`);

  // Control: without its abatement the same condition is active, so the check above can fail.
  const { abatementDateTime: _dropped, ...ongoing } = pregnancy;
  const withOngoing = { ...chart, resources: chart.resources.map((r) => (r === pregnancy ? ongoing : r)) };
  expect((await activeConditionsAsRead(withOngoing)).map((condition) => condition.id)).toContain(pregnancy.id);
});

describe.each(dstu2Charts.map((chart) => [chart.name, chart] as const))('DSTU2 sample %s', (_name, chart) => {
  test('full prefetch and no prefetch (DSTU2 server) are refused with 412, naming what showed DSTU2', async () => {
    const prefetched = await call(patientView(chart.patientId, { prefetch: fullPrefetch(chart.resources) }));
    expect(prefetched.status).toBe(412);
    expect(prefetched.body.resourceType).toBe('OperationOutcome');
    expect(prefetched.body.issue[0]).toMatchObject({
      code: 'not-supported',
      expression: [expect.stringMatching(/^prefetch\.conditions\.entry\[0\]\.resource\.patient$/)],
      diagnostics: expect.stringMatching(/FHIR DSTU2 data .*reads FHIR R4 and STU3 only/),
    });

    const fetched = await call(patientView(chart.patientId, { fhirServer: dstu2Server.baseUrl }));
    expect(fetched.status).toBe(412);
    expect(fetched.body.issue[0]).toMatchObject({
      code: 'not-supported',
      expression: ['fhirServer.conditions[0].patient'],
      diagnostics: expect.stringMatching(/DSTU2/),
    });
  });

  test('DSTU2 MedicationOrders sent under medications are recognised as DSTU2 too', async () => {
    const orders = chart.resources.filter((resource) => (resource.resourceType as string) === 'MedicationOrder');
    const { patient } = fullPrefetch(chart.resources);
    const response = await call(
      patientView(chart.patientId, {
        prefetch: { patient, conditions: searchset([]), medications: searchset(orders) },
      }),
    );
    expect(response.status).toBe(412);
    expect(response.body.issue[0].expression).toEqual(['prefetch.medications.entry[0].resource.resourceType']);
  });
});

describe('the README example in STU3 form', () => {
  test('gives exactly the cards of the R4 original, prefetched and fetched from an STU3 server', async () => {
    const original = await call(example);
    expect(original.status).toBe(200);
    expect(original.body.cards.length).toBeGreaterThan(0);

    const stu3 = await call(requestToStu3(example));
    expect(stu3.status).toBe(200);
    expect(comparable(stu3.body)).toEqual(comparable(original.body));
    expect(lastHookCallLog()).toMatchObject({ fhirVersion: 'STU3', fhirVersionFrom: 'resources' });

    const fetched = await call({ ...example, prefetch: {}, fhirServer: stu3Server.baseUrl });
    expect(fetched.status).toBe(200);
    expect(comparable(fetched.body)).toEqual(comparable(original.body));
    expect(lastHookCallLog()).toMatchObject({ fhirVersion: 'STU3', fhirVersionFrom: 'capability-statement' });
  });

  test('an STU3 status is read on its own: a pregnancy "resolved" without an abatement date is over', async () => {
    const withoutAbatement = structuredClone(example);
    delete withoutAbatement.prefetch.conditions.entry[2].resource.abatementDateTime;
    const original = await call(withoutAbatement);
    expect(original.status).toBe(200);
    const stu3 = await call(requestToStu3(withoutAbatement));
    expect(stu3.status).toBe(200);
    expect(comparable(stu3.body)).toEqual(comparable(original.body));
    // Control: the same pregnancy ongoing changes the cards, so the comparison above can fail.
    withoutAbatement.prefetch.conditions.entry[2].resource.clinicalStatus.coding[0].code = 'active';
    expect(comparable((await call(withoutAbatement)).body)).not.toEqual(comparable(original.body));
  });

  test('the R4 original is logged as R4, read from the resources or from the CapabilityStatement', async () => {
    await call(example);
    expect(lastHookCallLog()).toMatchObject({ fhirVersion: 'R4', fhirVersionFrom: 'resources' });
    await call({ ...example, prefetch: {}, fhirServer: r4Server.baseUrl });
    expect(lastHookCallLog()).toMatchObject({ fhirVersion: 'R4', fhirVersionFrom: 'capability-statement' });
    expect(service.rawLogs()).not.toContain('p-typical');
  });

  test("each server's CapabilityStatement is read once, then remembered", async () => {
    const fresh = await startFhirTestServer({ fhirVersion: 'STU3' });
    const own = await startService({ SPINE_CDS_FHIR_SERVERS: fresh.baseUrl, SPINE_CDS_FHIR_DEADLINE_MS: '5000' });
    try {
      await fresh.load(exampleResources.map(toStu3));
      for (let i = 0; i < 3; i++) {
        const response = await postJson(`${own.baseUrl}/cds-services/spine-patient-view`, {
          ...example,
          hookInstance: randomUUID(),
          prefetch: {},
          fhirServer: fresh.baseUrl,
        });
        expect(response.status).toBe(200);
      }
      expect(fresh.requests.filter((request) => request.url.endsWith('/metadata'))).toHaveLength(1);
      expect(fresh.requests.filter((request) => request.url.includes('/Condition?'))).toHaveLength(3);
    } finally {
      await own.close();
      await fresh.close();
    }
  });
});

describe('contradictory or unreadable data is a 400 naming the field, never read as "no status"', () => {
  const conditions = () => example.prefetch.conditions.entry.map((entry: { resource: Resource }) => entry.resource);
  const withConditions = (list: unknown[]) => ({
    ...example,
    hookInstance: randomUUID(),
    prefetch: { ...example.prefetch, conditions: searchset(list as Resource[]) },
  });

  test(`STU3 and R4 conditions mixed in one call: the \
first resource that contradicts the others is named`, async () => {
    const [sciatica, lbp, pregnancy] = conditions();
    const response = await call(withConditions([sciatica, lbp, toStu3(pregnancy)]));
    expect(response.status).toBe(400);
    expect(response.body.issue[0]).toMatchObject({
      expression: ['prefetch.conditions.entry[2].resource.clinicalStatus'],
      diagnostics: expect.stringMatching(/contradicts prefetch\.conditions\.entry\[1\]\.resource\.clinicalStatus/),
    });
  });

  test.each([
    ['a CodeableConcept with text only', { text: 'resolved' }, 'clinicalStatus.coding', /has no coding/],
    [
      'a code outside the value set',
      { coding: [{ code: 'cured' }] },
      'clinicalStatus.coding[0].code',
      /must be one of/,
    ],
    [
      'two status codes that disagree',
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
          { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' },
        ],
      },
      'clinicalStatus.coding',
      /contradictory/,
    ],
    ['a number', 3, 'clinicalStatus', /must be a CodeableConcept/],
  ])('an R4 clinicalStatus that is %s', async (_name, status, field, message) => {
    const [sciatica, lbp, pregnancy] = conditions();
    const response = await call(withConditions([sciatica, lbp, { ...pregnancy, clinicalStatus: status }]));
    expect(response.status).toBe(400);
    expect(response.body.issue[0]).toMatchObject({
      expression: [`prefetch.conditions.entry[2].resource.${field}`],
      diagnostics: expect.stringMatching(message),
    });
  });

  test('an STU3 status outside the STU3 value set', async () => {
    const stu3 = requestToStu3(example);
    stu3.prefetch.conditions.entry[2].resource.clinicalStatus = 'cured';
    const response = await call(stu3);
    expect(response.status).toBe(400);
    expect(response.body.issue[0].expression).toEqual(['prefetch.conditions.entry[2].resource.clinicalStatus']);
  });

  test('an R4 status whose first coding is of another system is still read by its status coding', async () => {
    const [sciatica, lbp, pregnancy] = conditions();
    const status = {
      coding: [
        { system: 'http://snomed.info/sct', code: '77386006', display: 'Pregnant' },
        { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' },
      ],
    };
    const response = await call(withConditions([sciatica, lbp, { ...pregnancy, clinicalStatus: status }]));
    expect(response.status).toBe(200);
    expect(comparable(response.body)).toEqual(comparable((await call(example)).body));
  });

  test(`an R4 server (by its CapabilityStatement) \
sending STU3-shaped conditions: 400 naming the resource`, async () => {
    const stu3Conditions = searchset(conditions().map(toStu3));
    r4Server.setFault({ kind: 'status', status: 200, body: JSON.stringify(stu3Conditions) }, { match: /Condition/ });
    const response = await call({
      ...example,
      prefetch: { patient: example.prefetch.patient },
      fhirServer: r4Server.baseUrl,
    });
    expect(response.status).toBe(400);
    expect(response.body.issue[0]).toMatchObject({
      expression: ['fhirServer.conditions[1].clinicalStatus'],
      diagnostics: expect.stringMatching(/contradicts fhirServer: its CapabilityStatement declares FHIR 4\.0\.1/),
    });
  });

  test('a condition recorded active with an abatement in the past is over (R4 too), and a card says so', async () => {
    const [sciatica, lbp, pregnancy] = conditions();
    const activeStatus = {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    };
    const response = await call(withConditions([sciatica, lbp, { ...pregnancy, clinicalStatus: activeStatus }]));
    expect(response.status).toBe(200);
    const cards = comparable(response.body);
    const note = cards.filter((card) => card.rule === 'ended-conditions-recorded-current');
    expect(note).toHaveLength(1);
    const sent = response.body.cards.find(
      (card: any) => card.source.topic.code === 'ended-conditions-recorded-current',
    );
    expect(citedReferences(sent)).toContain('Condition/p-typical-pregnancy');
    expect(note[0].detail).not.toMatch(FHIR_REFERENCE);
    expect(cards.filter((card) => card !== note[0])).toEqual(comparable((await call(example)).body));
  });
});

test('no call of this file answered with a 5xx', () => {
  expect(service.logs.filter((line) => typeof line.status === 'number' && (line.status as number) >= 500)).toEqual([]);
  expect(service.logs.filter((line) => line.level === 50)).toEqual([]);
});
