import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { postJson, startService, type RunningService } from '../support/spine-service';
import { fullPrefetch, searchset } from '../fixtures/fhir';
import { typicalPatient, TYPICAL_PATIENT_VIEW_RULES } from '../fixtures/patients';
import { ruleNamesOf } from '../../src/cli/scenarios/run';
import { cardOfRule } from '../support/cards';

const TOKEN = 'test-access-token-d41d8cd98f00';

let fhir: FhirTestServer;
let service: RunningService;
const resources: Resource[] = typicalPatient();

beforeAll(async () => {
  fhir = await startFhirTestServer();
  await fhir.load(resources);
  // A 1 MiB response limit (default 20 MiB): the huge-body case then trips the size limit long before the deadline,
  // however busy the machine, while every real answer here stays far below it.
  service = await startService({
    SPINE_CDS_FHIR_SERVERS: fhir.baseUrl,
    SPINE_CDS_FHIR_DEADLINE_MS: '800',
    SPINE_CDS_FHIR_MAX_RESPONSE_BYTES: String(1024 * 1024),
  });
  await rememberCapabilityStatement();
});

/**
 * The service reads a server's CapabilityStatement once (test/integration/fhir-versions.test.ts); have it read and
 * kept here, so that the tests below see only the data reads, whatever their order. On a busy machine a read can
 * miss the short deadline, and reads of a call can reach the server after its answer: calls are repeated until one
 * no longer asks for the CapabilityStatement, and the server is left quiet.
 */
async function rememberCapabilityStatement(): Promise<void> {
  const { patient, conditions, observations, medications } = fullPrefetch(resources);
  const asksForIt = () => fhir.requests.some((request) => request.url.endsWith('/metadata'));
  for (let attempt = 0; attempt < 5; attempt++) {
    fhir.reset();
    await call(withServer({ prefetch: { patient, conditions, observations, medications } }));
    await quiet();
    if (attempt > 0 && !asksForIt()) return;
  }
}

/** Waits until no request has reached the FHIR server for 100 ms. */
async function quiet(): Promise<void> {
  for (let seen = -1; seen !== fhir.requests.length;) {
    seen = fhir.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterAll(async () => {
  await service.close();
  await fhir.close();
});

beforeEach(() => fhir.reset());

function patientView(extra: Record<string, unknown> = {}) {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/dr-1', patientId: 'p-typical' },
    ...extra,
  };
}

const withServer = (extra: Record<string, unknown> = {}) =>
  patientView({
    fhirServer: fhir.baseUrl,
    fhirAuthorization: {
      access_token: TOKEN,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'spine-cds',
    },
    ...extra,
  });

const ruleNames = (body: { cards: Array<{ source: { topic?: { code: string } } }> }) => ruleNamesOf(body).sort();

const call = (body: unknown) => postJson(`${service.baseUrl}/cds-services/spine-patient-view`, body);

describe('patient-view with prefetch and with the FHIR server fallback', () => {
  test('full prefetch answers the pathway cards without calling the FHIR server', async () => {
    const response = await call(withServer({ prefetch: fullPrefetch(resources) }));
    expect(response.status).toBe(200);
    expect(ruleNames(response.body)).toEqual([...TYPICAL_PATIENT_VIEW_RULES].sort());
    expect(fhir.requests).toHaveLength(0);
    expect(response.headers.get('x-rule-set-version')).toMatch(/^[0-9a-f]{12}; profile=default$/);
  });

  test(`no prefetch: every key is fetched with the \
bearer token, concurrently, and the cards are identical`, async () => {
    const prefetched = await call(withServer({ prefetch: fullPrefetch(resources) }));
    fhir.reset();
    const fetched = await call(withServer());
    expect(fetched.status).toBe(200);
    expect(ruleNames(fetched.body)).toEqual(ruleNames(prefetched.body));
    const strip = (body: any) =>
      body.cards.map((card: any) => ({ ...card, uuid: undefined, suggestions: card.suggestions?.length }));
    expect(strip(fetched.body)).toEqual(strip(prefetched.body));
    expect(fhir.requests.map((r) => r.url.split('?')[0]).sort()).toEqual(
      [
        '/fhir/R4/Condition',
        '/fhir/R4/MedicationRequest',
        '/fhir/R4/Observation',
        '/fhir/R4/Patient/p-typical',
        '/fhir/R4/Procedure',
      ].sort(),
    );
    expect(fhir.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('partial prefetch: only the absent keys are fetched', async () => {
    const { patient, conditions } = fullPrefetch(resources);
    const response = await call(withServer({ prefetch: { patient, conditions } }));
    expect(response.status).toBe(200);
    expect(ruleNames(response.body)).toEqual([...TYPICAL_PATIENT_VIEW_RULES].sort());
    expect(fhir.requests.map((r) => r.url.split('?')[0]).sort()).toEqual([
      '/fhir/R4/MedicationRequest',
      '/fhir/R4/Observation',
      '/fhir/R4/Procedure',
    ]);
  });

  test('null keys mean "no data" and are not refetched', async () => {
    const { patient, conditions } = fullPrefetch(resources);
    const response = await call(
      withServer({ prefetch: { patient, conditions, observations: null, procedures: null, medications: null } }),
    );
    expect(response.status).toBe(200);
    expect(fhir.requests).toHaveLength(0);
    // Without observations there is no pain score: the pain-dependent steps do not fire, and the card says why.
    expect(ruleNames(response.body)).not.toContain('injection-consider');
    expect(ruleNames(response.body)).toContain('missing-pain-score');
  });

  test('an OperationOutcome under a key means the client failed to fetch it: the service fetches it', async () => {
    const prefetch = {
      ...fullPrefetch(resources),
      observations: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] },
    };
    const response = await call(withServer({ prefetch }));
    expect(response.status).toBe(200);
    expect(fhir.requests.map((r) => r.url.split('?')[0])).toEqual(['/fhir/R4/Observation']);
    expect(ruleNames(response.body)).toEqual([...TYPICAL_PATIENT_VIEW_RULES].sort());
  });

  test('a paged search is followed to its last page', async () => {
    const paged = await startFhirTestServer({ defaultCount: 2 });
    const pagedService = await startService({ SPINE_CDS_FHIR_SERVERS: paged.baseUrl });
    try {
      await paged.load(resources);
      const response = await postJson(
        `${pagedService.baseUrl}/cds-services/spine-patient-view`,
        patientView({ fhirServer: paged.baseUrl }),
      );
      expect(response.status).toBe(200);
      expect(ruleNames(response.body)).toEqual([...TYPICAL_PATIENT_VIEW_RULES].sort());
      // 3 conditions and 4 observations at 2 per page: 2 pages each.
      expect(paged.requests.filter((r) => r.url.startsWith('/fhir/R4/Condition'))).toHaveLength(2);
      expect(paged.requests.filter((r) => r.url.startsWith('/fhir/R4/Observation'))).toHaveLength(2);
    } finally {
      await pagedService.close();
      await paged.close();
    }
  });

  test('a prefetched Bundle with a next link is completed from the FHIR server', async () => {
    const prefetch = fullPrefetch(resources);
    const observations = resources.filter((r) => r.resourceType === 'Observation');
    prefetch.observations = {
      ...searchset(observations.slice(0, 1)),
      link: [{ relation: 'next', url: `${fhir.baseUrl}/Observation?patient=p-typical&_count=10&_offset=0` }],
    } as Resource;
    const response = await call(withServer({ prefetch }));
    expect(response.status).toBe(200);
    expect(fhir.requests).toHaveLength(1);
    expect(ruleNames(response.body)).toContain('injection-consider');
  });

  test.each([
    ['HTTP 500', { kind: 'status', status: 500 } as const, /HTTP 500/],
    ['HTTP 401', { kind: 'status', status: 401 } as const, /HTTP 401/],
    ['garbage', { kind: 'garbage' } as const, /not JSON/],
    ['no answer', { kind: 'hang' } as const, /deadline/],
    ['a redirect', { kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data' } as const, /redirect/],
    ['a huge body', { kind: 'huge', bytes: 64 * 1024 * 1024 } as const, /larger than/],
  ])('the FHIR server answering %s for required data gives 412 within the deadline', async (_name, fault, reason) => {
    fhir.setFault(fault, { match: /Condition/ });
    const started = Date.now();
    const response = await call(withServer({ prefetch: { patient: fullPrefetch(resources).patient } }));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(response.status).toBe(412);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].expression).toEqual(['prefetch.conditions']);
    expect(response.body.issue[0].diagnostics).toMatch(reason);
  });

  test('optional data that cannot be fetched still gives cards, which say what could not be checked', async () => {
    fhir.setFault({ kind: 'status', status: 500 }, { match: /Observation|Procedure|MedicationRequest/ });
    const { patient, conditions } = fullPrefetch(resources);
    const response = await call(withServer({ prefetch: { patient, conditions } }));
    expect(response.status).toBe(200);
    const traction = cardOfRule<any>(response.body.cards, 'traction-discussion');
    expect(traction.detail).toMatch(/Could not be checked/);
    expect(traction.detail).toMatch(/observations not available: fhirServer answered HTTP 500/);
  });

  test("a FHIR server answering with another patient's data is not believed: required data missing, 412", async () => {
    const foreign = searchset([
      { resourceType: 'Condition', id: 'theirs', subject: { reference: 'Patient/someone-else' } } as Resource,
    ]);
    fhir.setFault({ kind: 'status', status: 200, body: JSON.stringify(foreign) }, { match: /Condition/ });
    const response = await call(withServer({ prefetch: { patient: fullPrefetch(resources).patient } }));
    expect(response.status).toBe(412);
    expect(response.body.issue[0]).toMatchObject({
      expression: ['prefetch.conditions'],
      diagnostics: expect.stringMatching(/about another patient/),
    });
  });

  test('a FHIR server that is not on the allowlist is never called', async () => {
    const stranger = await startFhirTestServer();
    try {
      const response = await call(patientView({ fhirServer: stranger.baseUrl }));
      expect(response.status).toBe(412);
      expect(response.body.issue[0].diagnostics).toMatch(/not on this service's list of allowed FHIR servers/);
      expect(stranger.requests).toHaveLength(0);
    } finally {
      await stranger.close();
    }
  });

  test('no prefetch and no fhirServer gives 412 naming the missing data', async () => {
    const response = await call(patientView());
    expect(response.status).toBe(412);
    expect(response.body.issue.map((issue: any) => issue.expression[0]).sort()).toEqual([
      'prefetch.conditions',
      'prefetch.patient',
    ]);
  });

  test('prefetched data about another patient is rejected, naming the entry', async () => {
    const prefetch = fullPrefetch(resources);
    const own = resources.filter((resource) => resource.resourceType === 'Condition').slice(0, 2);
    prefetch.conditions = searchset([
      ...own,
      { resourceType: 'Condition', id: 'x', subject: { reference: 'Patient/someone-else' } } as Resource,
    ]);
    const response = await call(patientView({ prefetch }));
    expect(response.status).toBe(400);
    expect(response.body.issue[0].expression[0]).toBe('prefetch.conditions.entry[2].resource');
    expect(response.body.issue[0].diagnostics).toMatch(/different patient/);

    const otherPatient = await call(
      patientView({
        prefetch: { ...fullPrefetch(resources), patient: { resourceType: 'Patient', id: 'someone-else' } },
      }),
    );
    expect(otherPatient.status).toBe(400);
    expect(otherPatient.body.issue[0].expression[0]).toBe('prefetch.patient');
  });

  test('a null Patient means the patient was not found: 412, not cards about nobody', async () => {
    const response = await call(patientView({ prefetch: { ...fullPrefetch(resources), patient: null } }));
    expect(response.status).toBe(412);
    expect(response.body.issue[0]).toMatchObject({
      expression: ['prefetch.patient'],
      diagnostics: expect.stringMatching(/was not found/),
    });
  });

  test('a Patient/ prefix on patientId is tolerated and never echoed into suggestions', async () => {
    const response = await call(
      patientView({
        context: { userId: 'Practitioner/dr-1', patientId: 'Patient/p-typical' },
        prefetch: fullPrefetch(resources),
      }),
    );
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).not.toContain('Patient/Patient/');
    const physio = response.body.cards.find((card: any) => card.source.topic.code === 'physiotherapy');
    expect(physio.suggestions[0].actions[0].resource.subject.reference).toBe('Patient/p-typical');
  });

  test('the log has one line per hook call, without patient data or tokens', async () => {
    await call(withServer());
    const line = service.logs.filter((entry) => entry.event === 'hook-call').at(-1) as Record<string, any>;
    expect(line).toMatchObject({ service: 'spine-patient-view', cards: TYPICAL_PATIENT_VIEW_RULES.length });
    expect(typeof line.durationMs).toBe('number');
    expect(service.rawLogs()).not.toContain(TOKEN);
    expect(service.rawLogs()).not.toContain('p-typical');
    expect(service.rawLogs()).not.toContain('Sciatica');
  });
});
