import { serviceDefinitions } from '../../src/cds/services';
import { SIMULATOR_CSP } from '../../src/sandbox/simulator-routes';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/start-sandbox';
import { bundledRuleSet, startService } from '../support/spine-service';

/** The sandbox's own endpoints, in process: the simulator page, the requests it builds, and bad input. */
describe('spine-cds sandbox endpoints', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, fhirPort: 0, auth: false }, { LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  const build = (body: unknown) =>
    fetch(`${sandbox.serviceUrl}/sandbox/api/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test(`the simulator page lists every example patient, \
under a strict CSP, with its assets from this origin`, async () => {
    const response = await fetch(`${sandbox.serviceUrl}/sandbox/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(SIMULATOR_CSP);
    const page = await response.text();
    expect(page.match(/<option value="sandbox-/g)?.length).toBe(sandbox.patientCount);
    for (const asset of [...page.matchAll(/(?:src|href)="([^"#]+)"/g)].map((match) => match[1])) {
      if (/^(\/|https?:)/.test(asset) || asset.startsWith('data:')) continue;
      const served = await fetch(new URL(asset, `${sandbox.serviceUrl}/sandbox/`));
      expect({ asset, status: served.status }).toEqual({ asset, status: 200 });
    }
    expect(page).not.toMatch(/(?:src|href)="https?:/);
  });

  test('the landing page links the simulator only under the sandbox', async () => {
    expect(await (await fetch(`${sandbox.serviceUrl}/`)).text()).toContain('href="/sandbox/"');
    const plain = await startService();
    try {
      const page = await (await fetch(`${plain.baseUrl}/`)).text();
      expect(page).toContain('href="/cds-services"');
      expect(page).not.toContain('/sandbox');
    } finally {
      await plain.close();
    }
  });

  test.each([
    ['full', serviceDefinitions(bundledRuleSet())[0].prefetch],
    ['partial', { patient: '', conditions: '' }],
    ['none', {}],
  ])('%s prefetch sends the keys an EHR would', async (prefetch, keys) => {
    const response = await build({ hook: 'patient-view', patientId: 'sandbox-cauda-equina', prefetch });
    expect(response.status).toBe(200);
    const request = (await response.json()) as {
      prefetch: Record<string, { resourceType: string }>;
      fhirServer: string;
    };
    expect(Object.keys(request.prefetch).sort()).toEqual(Object.keys(keys ?? {}).sort());
    expect(request.fhirServer).toBe(sandbox.fhirBaseUrl);
    if (prefetch !== 'none') expect(request.prefetch.patient.resourceType).toBe('Patient');
  });

  test.each([
    ['traction', 'spinal-traction', 'ServiceRequest', 'code'],
    ['opioid', 'opioid-medication', 'MedicationRequest', 'medicationCodeableConcept'],
  ])(
    'order-select carries the chosen draft order (%s), coded from the service ValueSet, as the selection',
    async (order, valueSet, resourceType, codeField) => {
      const response = await build({ hook: 'order-select', patientId: 'sandbox-chronic', prefetch: 'none', order });
      const { context } = (await response.json()) as {
        context: { selections: string[]; draftOrders: { entry: Array<{ resource: Record<string, any> }> } };
      };
      expect(context.selections).toEqual([`${resourceType}/draft-${order}`]);
      const [{ resource }] = context.draftOrders.entry;
      expect(resource.resourceType).toBe(resourceType);
      expect(resource[codeField].coding).toEqual([bundledRuleSet().terminology.firstCoding(valueSet)]);
    },
  );

  test.each([
    [{ hook: 'patient-vue', patientId: 'sandbox-chronic', prefetch: 'full' }, ['hook']],
    [{ hook: 'patient-view', patientId: 'someone-else', prefetch: 'most' }, ['patientId', 'prefetch']],
    [{ hook: 'order-sign', patientId: 'sandbox-chronic', prefetch: 'full' }, ['order']],
    [{ hook: 'order-sign', patientId: 'sandbox-chronic', prefetch: 'full', order: 'acupuncture' }, ['order']],
    [[], ['body']],
  ])('bad input %j is a 400 naming %j', async (body, fields) => {
    const response = await build(body);
    expect(response.status).toBe(400);
    const outcome = (await response.json()) as { resourceType: string; issue: Array<{ expression: string[] }> };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.flatMap((issue) => issue.expression)).toEqual(fields);
  });
});
