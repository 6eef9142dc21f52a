import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { draftServiceRequest, fullPrefetch, searchset, SNOMED } from '../fixtures/fhir';
import { typicalPatient } from '../fixtures/patients';
import { postJson, startService, type RunningService } from '../support/spine-service';

// A fixed seed keeps CI deterministic; set FUZZ_SEED to explore other inputs (each run prints its seed on failure).
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261121) });

// Each test sends one to several thousand requests in sequence: on a busy 2-core machine that outlasts jest's default.
const FUZZ_TIMEOUT_MS = 180_000;

/**
 * Thousands of generated malformed requests: whatever arrives, the answer is a client error (or, for a
 * mutation that happens to stay valid, a success), never a 5xx, and the service keeps running.
 * Authentication is off here so that bodies reach the parsers; no FHIR server is allowed, so nothing leaves.
 */

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(() => service.close());

const physiotherapyReferral = draftServiceRequest('p-typical', 'sr-1', [
  SNOMED,
  '308447003',
  'Referral to physiotherapist (procedure)',
]);
const draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: physiotherapyReferral }] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const asJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

/** The prefetch of the valid requests: complete for random mutation, small for the field-by-field sweep. */
const FULL_PREFETCH = fullPrefetch(typicalPatient());
const SMALL_PREFETCH = {
  patient: FULL_PREFETCH.patient,
  conditions: searchset(
    typicalPatient()
      .filter((r) => r.resourceType === 'Condition')
      .slice(0, 1),
  ),
};

/** A valid request for each endpoint: the starting points of mutation. */
const VALID: Array<{ path: string; body: (prefetch?: object) => Json }> = [
  {
    path: '/cds-services/spine-patient-view',
    body: (prefetch = FULL_PREFETCH) =>
      asJson({
        hook: 'patient-view',
        hookInstance: randomUUID(),
        fhirServer: 'https://ehr.example/fhir',
        fhirAuthorization: {
          access_token: 'secret',
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'patient/*.read',
          subject: 'spine-cds',
        },
        context: { userId: 'Practitioner/dr-1', patientId: 'p-typical' },
        prefetch,
      }),
  },
  {
    path: '/cds-services/spine-order-select',
    body: (prefetch = FULL_PREFETCH) =>
      asJson({
        hook: 'order-select',
        hookInstance: randomUUID(),
        context: {
          userId: 'Practitioner/dr-1',
          patientId: 'p-typical',
          selections: ['ServiceRequest/sr-1'],
          draftOrders,
        },
        prefetch,
      }),
  },
  {
    path: '/cds-services/spine-order-sign',
    body: (prefetch = FULL_PREFETCH) =>
      asJson({
        hook: 'order-sign',
        hookInstance: randomUUID(),
        context: { userId: 'Practitioner/dr-1', patientId: 'p-typical', draftOrders },
        prefetch,
      }),
  },
  {
    path: '/cds-services/spine-patient-view/feedback',
    body: () =>
      asJson({
        feedback: [
          {
            card: randomUUID(),
            outcome: 'accepted',
            acceptedSuggestions: [{ id: randomUUID() }],
            outcomeTimestamp: '2026-11-21T10:00:00Z',
          },
          {
            card: randomUUID(),
            outcome: 'overridden',
            overrideReason: { reason: { code: 'patient-declined', system: 'x' } },
            outcomeTimestamp: '2026-11-21T10:00:00Z',
          },
        ],
      }),
  },
];
const ENDPOINTS = VALID.map((valid) => valid.path);

/** Values of every JSON type, including the awkward ones (huge numbers, deep nesting, reference-like strings). */
const WRONG_VALUES: Json[] = [
  null,
  true,
  0,
  -1,
  1e308,
  3.5,
  '',
  ' ',
  'x',
  'Patient/../../etc/passwd',
  '{"resourceType":"Patient"}',
  [],
  [null],
  {},
  { resourceType: 'OperationOutcome' },
  [[[[]]]],
];

async function expectNoServerError(path: string, body: string, contentType = 'application/json'): Promise<number> {
  const response = await postJson(service.baseUrl + path, body, { 'content-type': contentType });
  if (response.status >= 500) throw new Error(`HTTP ${response.status} for ${path}: ${body.slice(0, 500)}`);
  return response.status;
}

/** Every path to a value inside a JSON document. */
function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/** Returns a copy with the value at `path` replaced, or removed when `replacement` is undefined. */
function withValueAt(document: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy = structuredClone(document) as Record<string | number, Json>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement !== undefined) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const jsonValue = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;

test(
  'any JSON value as a body is a 4xx on every endpoint',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), jsonValue, async (path, body) => {
        const status = await expectNoServerError(path, JSON.stringify(body));
        expect(status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 1000 },
    );
  },
  FUZZ_TIMEOUT_MS,
);

test(
  'random bytes and wrong content types never give a 5xx',
  async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'application/fhir+json',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        fc.string({ unit: 'binary', maxLength: 200 }),
        contentType,
        async (path, body, type) => {
          await expectNoServerError(path, body, type);
        },
      ),
      { numRuns: 500 },
    );
  },
  FUZZ_TIMEOUT_MS,
);

test(
  'valid requests with random mutations (replace, delete, retype anywhere) never give a 5xx',
  async () => {
    const mutation = fc.record({
      at: fc.nat(),
      value: fc.option(fc.oneof(jsonValue, fc.constantFrom(...WRONG_VALUES)), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.nat(VALID.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (which, mutations) => {
          let body = VALID[which].body();
          for (const { at, value } of mutations) {
            const paths = pathsOf(body);
            body = withValueAt(body, paths[at % paths.length], value);
          }
          await expectNoServerError(VALID[which].path, JSON.stringify(body));
        },
      ),
      { numRuns: 1500 },
    );
  },
  FUZZ_TIMEOUT_MS,
);

test(
  'a wrong type in every field of every valid request never gives a 5xx',
  async () => {
    let requests = 0;
    for (const valid of VALID) {
      const template = valid.body(SMALL_PREFETCH);
      for (const path of pathsOf(template)) {
        for (const wrong of [undefined, ...WRONG_VALUES]) {
          await expectNoServerError(valid.path, JSON.stringify(withValueAt(template, path, wrong)));
          requests += 1;
        }
      }
    }
    expect(requests).toBeGreaterThan(1000);
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200);
    expect(service.logs.filter((entry) => entry.msg === 'internal error')).toEqual([]);
  },
  FUZZ_TIMEOUT_MS,
);
