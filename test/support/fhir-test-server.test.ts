import type { Bundle, Condition, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { FhirTestServer, startFhirTestServer } from './fhir-test-server';

const patient: Patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Doe', given: ['Jane'] }] };

function observation(id: string, display: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { text: display },
    subject: { reference: 'Patient/p1' },
  };
}

const condition: Condition = {
  resourceType: 'Condition',
  id: 'c1',
  subject: { reference: 'Patient/p1' },
  code: { text: 'Low back pain' },
};

const other: Observation = { ...observation('other-obs', 'other'), subject: { reference: 'Patient/p2' } };

describe('FhirTestServer', () => {
  let server: FhirTestServer;

  beforeAll(async () => {
    server = await startFhirTestServer();
    await server.load([
      patient,
      observation('o1', 'one'),
      observation('o2', 'two'),
      observation('o3', 'three'),
      condition,
      other,
    ]);
  });

  afterEach(() => server.reset());

  afterAll(() => server.close());

  async function getJson<T extends Resource>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
    const res = await fetch(url.startsWith('http') ? url : `${server.baseUrl}/${url}`, init);
    expect(res.headers.get('content-type')).toBe('application/fhir+json');
    return { status: res.status, body: (await res.json()) as T };
  }

  function ids(bundle: Bundle): string[] {
    return (bundle.entry ?? []).map((e) => e.resource?.id ?? '').sort();
  }

  describe('FHIR behaviour', () => {
    it('exposes a base URL on the loopback interface without a trailing slash', () => {
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/R4$/);
    });

    it('reads a loaded resource by its given id', async () => {
      const { status, body } = await getJson<Patient>('Patient/p1');
      expect(status).toBe(200);
      expect(body).toMatchObject({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Doe' }] });
    });

    it('answers 404 with an OperationOutcome for an unknown resource', async () => {
      const { status, body } = await getJson('Patient/missing');
      expect(status).toBe(404);
      expect(body.resourceType).toBe('OperationOutcome');
    });

    it('serves a CapabilityStatement at metadata', async () => {
      const { status, body } = await getJson('metadata');
      expect(status).toBe(200);
      expect(body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    });

    it.each(['patient=p1', 'patient=Patient/p1', 'subject=Patient/p1'])('searches Condition?%s', async (query) => {
      const { status, body } = await getJson<Bundle>(`Condition?${query}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
      expect(ids(body)).toEqual(['c1']);
      expect(body.entry?.[0].fullUrl).toBe(`${server.baseUrl}/Condition/c1`);
    });

    it('pages Observation searches through absolute next links', async () => {
      const pages: Bundle[] = [];
      let url: string | undefined = 'Observation?patient=p1&_count=2';
      while (url && pages.length < 5) {
        const { status, body }: { status: number; body: Bundle } = await getJson<Bundle>(url);
        expect(status).toBe(200);
        pages.push(body);
        url = body.link?.find((l) => l.relation === 'next')?.url;
        if (url) expect(url.startsWith(`${server.baseUrl}/Observation?`)).toBe(true);
      }
      expect(pages.map((p) => p.entry?.length)).toEqual([2, 1]);
      expect(pages.flatMap(ids).sort()).toEqual(['o1', 'o2', 'o3']);
      expect(pages[0].total).toBe(3);
    });

    it('returns everything in one page, without a next link, when no _count is given', async () => {
      const { body } = await getJson<Bundle>('Observation?patient=Patient/p1');
      expect(ids(body)).toEqual(['o1', 'o2', 'o3']);
      expect(body.link?.some((l) => l.relation === 'next')).toBe(false);
    });

    it('applies a default page size when configured', async () => {
      const paged = await startFhirTestServer({ defaultCount: 1 });
      try {
        await paged.load([patient, condition, { ...condition, id: 'c2' }]);
        const first = await fetch(`${paged.baseUrl}/Condition?patient=p1`).then((r) => r.json() as Promise<Bundle>);
        const next = first.link?.find((l) => l.relation === 'next')?.url;
        expect(next).toContain(paged.baseUrl);
        const second = await fetch(next as string).then((r) => r.json() as Promise<Bundle>);
        expect([...ids(first), ...ids(second)].sort()).toEqual(['c1', 'c2']);
      } finally {
        await paged.close();
      }
    });
  });

  describe('recording and auth', () => {
    it('records method, url as received and the authorization header', async () => {
      await fetch(`${server.baseUrl}/Patient/p1`, { headers: { authorization: 'Bearer abc' } });
      await fetch(`${server.baseUrl}/Condition?patient=p1`);
      expect(server.requests).toEqual([
        { method: 'GET', url: '/fhir/R4/Patient/p1', authorization: 'Bearer abc' },
        { method: 'GET', url: '/fhir/R4/Condition?patient=p1', authorization: undefined },
      ]);
    });

    it('requires the bearer token once set', async () => {
      server.requireBearerToken('secret');
      const missing = await getJson('Patient/p1');
      expect(missing.status).toBe(401);
      expect(missing.body.resourceType).toBe('OperationOutcome');
      const wrong = await getJson('Patient/p1', { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const right = await getJson('Patient/p1', { headers: { authorization: 'Bearer secret' } });
      expect(right.status).toBe(200);

      server.requireBearerToken(undefined);
      expect((await getJson('Patient/p1')).status).toBe(200);
    });
  });

  describe('faults', () => {
    it('status: answers with the status and the given body', async () => {
      server.setFault({ kind: 'status', status: 500, body: '{"resourceType":"OperationOutcome","issue":[]}' });
      const { status, body } = await getJson('Patient/p1');
      expect(status).toBe(500);
      expect(body.resourceType).toBe('OperationOutcome');
    });

    it('status: defaults to an OperationOutcome body', async () => {
      server.setFault({ kind: 'status', status: 503 });
      const { status, body } = await getJson('metadata');
      expect(status).toBe(503);
      expect(body.resourceType).toBe('OperationOutcome');
    });

    it('applies only to matching urls, and undefined clears all faults', async () => {
      server.setFault({ kind: 'status', status: 500 }, { match: /Observation/ });
      expect((await fetch(`${server.baseUrl}/Observation?patient=p1`)).status).toBe(500);
      expect((await fetch(`${server.baseUrl}/Patient/p1`)).status).toBe(200);
      server.setFault(undefined);
      expect((await fetch(`${server.baseUrl}/Observation?patient=p1`)).status).toBe(200);
    });

    it('garbage: 200 FHIR JSON content type with a body that does not parse', async () => {
      server.setFault({ kind: 'garbage' });
      const res = await fetch(`${server.baseUrl}/Patient/p1`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/fhir+json');
      // Errors from fetch come from another realm than Jest's, so match on name rather than constructor.
      await expect(res.json()).rejects.toMatchObject({ name: 'SyntaxError' });
    });

    it('hang: never answers', async () => {
      server.setFault({ kind: 'hang' });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      await expect(fetch(`${server.baseUrl}/Patient/p1`, { signal: controller.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
      clearTimeout(timer);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(server.requests).toHaveLength(1);
    });

    it('slow: answers normally after the delay', async () => {
      server.setFault({ kind: 'slow', delayMs: 250 });
      const started = Date.now();
      const { status, body } = await getJson<Patient>('Patient/p1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      expect(status).toBe(200);
      expect(body.id).toBe('p1');
    });

    it('redirect: 302 to the location', async () => {
      server.setFault({ kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere' });
      const res = await fetch(`${server.baseUrl}/Patient/p1`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere');
    });

    it('huge: streams a JSON-looking body of exactly the requested size', async () => {
      const bytes = 3 * 1024 * 1024 + 7;
      server.setFault({ kind: 'huge', bytes });
      const res = await fetch(`${server.baseUrl}/Observation?patient=p1`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/fhir+json');
      expect(res.headers.get('content-length')).toBeNull();
      const text = await res.text();
      expect(Buffer.byteLength(text)).toBe(bytes);
      expect(text.startsWith('{"resourceType":"Bundle"')).toBe(true);
    });

    it('huge: stops streaming when the client gives up', async () => {
      server.setFault({ kind: 'huge', bytes: 1024 * 1024 * 1024 });
      const controller = new AbortController();
      const res = await fetch(`${server.baseUrl}/Observation`, { signal: controller.signal });
      const reader = res.body?.getReader();
      await reader?.read();
      controller.abort();
      server.setFault(undefined);
      expect((await fetch(`${server.baseUrl}/Patient/p1`)).status).toBe(200);
    });
  });

  it('close() finishes promptly even with a hanging request in flight', async () => {
    const doomed = await startFhirTestServer();
    doomed.setFault({ kind: 'hang' });
    const pending = fetch(`${doomed.baseUrl}/Patient/p1`).catch((err: unknown) => err);
    await waitFor(() => doomed.requests.length === 1);
    const started = Date.now();
    await doomed.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toMatchObject({ message: 'fetch failed' });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
