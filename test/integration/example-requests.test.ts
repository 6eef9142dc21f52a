import fs from 'node:fs';
import path from 'node:path';
import { examplePatients } from '../../src/sandbox/example-patients';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { PROJECT_ROOT, startService, TEST_NOW, type RunningService } from '../support/spine-service';

/**
 * The example requests of test/fixtures/requests (README, "Try it"): one per hook and prefetch mode, sent to the
 * service with the sandbox's example patients (dates as of TEST_NOW) on the FHIR server they name.
 */
const REQUESTS_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'requests');
const HOOKS = ['patient-view', 'order-select', 'order-sign'];
const MODES = ['full', 'partial', 'no'];

describe('example requests', () => {
  let fhir: FhirTestServer;
  let service: RunningService;

  beforeAll(async () => {
    fhir = await startFhirTestServer();
    await fhir.load(examplePatients(TEST_NOW).flatMap((patient) => patient.resources));
    // A generous FHIR deadline: the examples are about request shapes, the deadline is tested in hook-calls.test.ts.
    service = await startService({ SPINE_CDS_FHIR_SERVERS: fhir.baseUrl, SPINE_CDS_FHIR_DEADLINE_MS: '10000' });
  });

  afterAll(async () => {
    await service?.close();
    await fhir?.close();
  });

  test('there is one for every hook and prefetch mode', () => {
    const files = fs.readdirSync(REQUESTS_DIR).filter((file) => file.endsWith('-prefetch.json'));
    expect(files.sort()).toEqual(HOOKS.flatMap((hook) => MODES.map((mode) => `${hook}-${mode}-prefetch.json`)).sort());
  });

  test.each(HOOKS.flatMap((hook) => MODES.map((mode) => [hook, mode])))(
    '%s with %s prefetch gets cards',
    async (hook, mode) => {
      const request = JSON.parse(fs.readFileSync(path.join(REQUESTS_DIR, `${hook}-${mode}-prefetch.json`), 'utf8'));
      expect(request.hook).toBe(hook);
      // The files name the sandbox's FHIR server (127.0.0.1:8081); here the test's stands in for it.
      expect(request.fhirServer).toBe('http://127.0.0.1:8081/fhir/R4');
      fhir.reset();
      const response = await fetch(`${service.baseUrl}/cds-services/spine-${hook}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...request, fhirServer: fhir.baseUrl }),
      });
      expect(response.status).toBe(200);
      const { cards } = (await response.json()) as { cards: Array<{ summary: string }> };
      expect(cards.length).toBeGreaterThan(0);
      const reads = fhir.requests.map((read) => read.url.split('?')[0]);
      if (mode === 'full') expect(reads).toEqual([]);
      if (mode === 'partial') {
        expect(reads).not.toContain(`/fhir/R4/Patient/${request.context.patientId}`);
        expect(reads).toContain('/fhir/R4/Observation');
      }
      if (mode === 'no') expect(reads).toContain(`/fhir/R4/Patient/${request.context.patientId}`);
    },
  );

  test('the patient-view example with a full prefetch needs no FHIR server', async () => {
    const request = fs.readFileSync(path.join(REQUESTS_DIR, 'patient-view.json'), 'utf8');
    const response = await fetch(`${service.baseUrl}/cds-services/spine-patient-view`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { cards: unknown[] }).cards.length).toBeGreaterThan(0);
  });
});
