import type { Bundle, Condition, Patient, Resource } from '@medplum/fhirtypes';
import type { DataRequirement } from '../../src/cds/data-requirement';
import { offlineFetchSettings, resolvePrefetch, type FetchSettings } from '../../src/cds/prefetch';
import type { HookRequest } from '../../src/cds/types';
import { HttpError } from '../../src/cds/protocol/operation-outcome';
import { ServerFhirVersions } from '../../src/fhir/server-fhir-version';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';

/**
 * What the service does with each prefetch value (CDS Hooks 2.0): use it, fetch it, finish a paged Bundle, or say
 * why the data could not be had; against the embedded FHIR R4 server.
 */

const PID = 'plan-patient';
const patient: Patient = { resourceType: 'Patient', id: PID, gender: 'female', birthDate: '1970-01-01' };
const conditionOf = (id: string, patientId = PID): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: `Patient/${patientId}` },
  code: { text: id },
});
const PATIENT: DataRequirement = {
  key: 'patient',
  template: 'Patient/{{context.patientId}}',
  resourceType: 'Patient',
  required: true,
};
const CONDITIONS: DataRequirement = {
  key: 'conditions',
  template: 'Condition?patient={{context.patientId}}',
  resourceType: 'Condition',
  required: false,
};
const REQUIRED_CONDITIONS = { ...CONDITIONS, required: true };

let fhir: FhirTestServer;
beforeAll(async () => {
  fhir = await startFhirTestServer();
  await fhir.load([patient, conditionOf('c1'), conditionOf('c2'), conditionOf('other', 'someone-else')]);
});
afterAll(() => fhir.close());
beforeEach(() => fhir.reset());

const settings: FetchSettings = {
  deadlineMs: 10_000,
  maxPages: 5,
  maxResponseBytes: 5_000_000,
  refuseFhirServer: () => undefined,
};
function request(prefetch: Record<string, unknown>, extra: Partial<HookRequest> = {}): HookRequest {
  return {
    hook: 'patient-view',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    fhirServer: fhir.baseUrl,
    context: { userId: 'Practitioner/1', patientId: PID },
    prefetch,
    ...extra,
  };
}
const ids = (resources: Resource[] | undefined) => (resources ?? []).map((resource) => resource.id);
const searchset = (resources: Resource[], next?: string): Bundle => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
  ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
});
async function httpError(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

test('prefetched data is used as sent, and the server is not asked', async () => {
  const data = await resolvePrefetch(
    request({ patient, conditions: searchset([conditionOf('sent')]) }),
    [PATIENT, CONDITIONS],
    settings,
  );
  expect(ids(data.resources.conditions)).toEqual(['sent']);
  expect(data.status).toEqual({
    patient: { available: true, source: 'prefetch' },
    conditions: { available: true, source: 'prefetch' },
  });
  expect(fhir.requests).toEqual([]);
});

test('an absent key or an OperationOutcome is fetched from fhirServer, keeping only the patient’s data', async () => {
  const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] };
  const data = await resolvePrefetch(request({ conditions: outcome }), [PATIENT, CONDITIONS], settings);
  expect(ids(data.resources.patient)).toEqual([PID]);
  expect(ids(data.resources.conditions).sort()).toEqual(['c1', 'c2']);
  expect(data.status.conditions).toEqual({ available: true, source: 'fhirServer' });
  expect(fhir.requests.map((r) => r.url)).toEqual(
    expect.arrayContaining([`/fhir/R4/Patient/${PID}`, expect.stringContaining(`Condition?patient=${PID}`)]),
  );
});

test('null for a search is "no matches", not refetched', async () => {
  const data = await resolvePrefetch(request({ patient, conditions: null }), [PATIENT, CONDITIONS], settings);
  expect(data.resources.conditions).toEqual([]);
  expect(data.status.conditions).toEqual({ available: true, source: 'prefetch' });
  expect(fhir.requests).toEqual([]);
});

test('null for the required patient read is a 412: the patient does not exist', async () => {
  const error = await httpError(resolvePrefetch(request({ patient: null }), [PATIENT], settings));
  expect(error.status).toBe(412);
  expect(error.problems).toEqual([
    {
      field: 'prefetch.patient',
      message: 'is null: the Patient the hook context names was not found',
      problem: 'resource-not-found',
    },
  ]);
});

test('null for an optional read is no data', async () => {
  const optionalRead = { ...PATIENT, required: false };
  const data = await resolvePrefetch(request({ patient: null }), [optionalRead], settings);
  expect(data.status.patient).toEqual({ available: true, source: 'prefetch' });
});

test('a paged Bundle is completed from fhirServer and still counts as prefetched', async () => {
  const next = `${fhir.baseUrl}/Condition?patient=${PID}`;
  const data = await resolvePrefetch(
    request({ patient, conditions: searchset([conditionOf('first-page')], next) }),
    [PATIENT, CONDITIONS],
    settings,
  );
  expect(ids(data.resources.conditions)).toEqual(expect.arrayContaining(['first-page', 'c1', 'c2']));
  expect(data.status.conditions).toEqual({ available: true, source: 'prefetch' });
});

test('a paged Bundle whose pages cannot be fetched says so', async () => {
  const data = await resolvePrefetch(
    request(
      { patient, conditions: searchset([conditionOf('first-page')], 'https://x.example.org/next') },
      { fhirServer: undefined },
    ),
    [PATIENT, CONDITIONS],
    settings,
  );
  expect(data.resources.conditions).toEqual([]);
  expect(data.status.conditions).toEqual({
    available: false,
    reason: 'the prefetched Bundle is paged and its other pages cannot be fetched: no fhirServer was sent',
  });
});

test('a refused fhirServer: optional data is unavailable with the reason, nothing is fetched', async () => {
  const refusing = { ...settings, refuseFhirServer: () => 'not on the allowlist' };
  const data = await resolvePrefetch(request({ patient }), [PATIENT, CONDITIONS], refusing);
  expect(data.status.conditions).toEqual({ available: false, reason: 'not on the allowlist' });
  expect(fhir.requests).toEqual([]);
  const offline = await resolvePrefetch(request({ patient }), [PATIENT, CONDITIONS], offlineFetchSettings('offline'));
  expect(offline.status.conditions).toEqual({ available: false, reason: 'offline' });
});

test('required data that cannot be had is a 412 naming the key and why', async () => {
  const error = await httpError(
    resolvePrefetch(request({ patient }, { fhirServer: undefined }), [PATIENT, REQUIRED_CONDITIONS], settings),
  );
  expect(error.status).toBe(412);
  expect(error.problems).toEqual([
    {
      field: 'prefetch.conditions',
      message: 'required data was not prefetched and could not be fetched: no fhirServer was sent',
      problem: 'data-unavailable',
    },
  ]);
});

test('fhirServer data about another patient is refused, even one resource among the patient’s', async () => {
  const otherPatient = { ...CONDITIONS, template: 'Condition?patient=someone-else' };
  const pagedIntoOther = searchset([conditionOf('mine')], `${fhir.baseUrl}/Condition?patient=someone-else`);
  for (const [prefetch, requirement] of [
    [{ patient }, otherPatient],
    [{ patient, conditions: pagedIntoOther }, CONDITIONS],
  ] as const) {
    const data = await resolvePrefetch(request(prefetch), [PATIENT, requirement], settings);
    expect(data.resources.conditions).toEqual([]);
    expect(data.status.conditions).toEqual({
      available: false,
      reason: 'fhirServer returned data about another patient',
    });
  }
});

test('a read returning another resource type, a server error, and a query the context cannot fill', async () => {
  const wrongType = { ...CONDITIONS, key: 'wrong', template: 'Patient/{{context.patientId}}' };
  const needsEncounter = { ...CONDITIONS, key: 'encounter', template: 'Condition?encounter={{context.encounterId}}' };
  const data = await resolvePrefetch(request({ patient }), [PATIENT, wrongType, needsEncounter], settings);
  expect(data.status.wrong).toEqual({ available: false, reason: 'fhirServer returned Patient instead of Condition' });
  expect(data.status.encounter).toEqual({
    available: false,
    reason: 'fhirServer cannot be queried: the hook context lacks a value the query needs',
  });
  fhir.setFault({ kind: 'status', status: 500 });
  const failed = await resolvePrefetch(request({ patient }), [PATIENT, CONDITIONS], settings);
  expect(failed.status.conditions).toMatchObject({ available: false, reason: expect.stringMatching(/^fhirServer /) });
});

test('the access token is sent to fhirServer', async () => {
  fhir.requireBearerToken('the-token');
  const auth = { access_token: 'the-token', token_type: 'Bearer' as const, expires_in: 60, scope: 's', subject: 'c' };
  const data = await resolvePrefetch(
    request({ patient }, { fhirAuthorization: auth }),
    [PATIENT, CONDITIONS],
    settings,
  );
  expect(data.status.conditions).toEqual({ available: true, source: 'fhirServer' });
});

describe('the FHIR version fhirServer declares', () => {
  const withVersions = () => ({ ...settings, serverFhirVersions: new ServerFhirVersions() });
  const metadataReads = () => fhir.requests.filter((r) => r.url.endsWith('/metadata')).length;

  test('is read alongside the data it serves', async () => {
    const data = await resolvePrefetch(request({ patient }), [PATIENT, CONDITIONS], withVersions());
    expect(data.serverVersion).toEqual({ version: 'R4', release: expect.stringMatching(/^4\.0\./) });
    expect(metadataReads()).toBe(1);
  });

  test('is not read when every requirement was prefetched, the server is refused, or the caller pins it', async () => {
    const prefetched = request({ patient, conditions: searchset([]) });
    const refusing = { ...withVersions(), refuseFhirServer: () => 'not on the allowlist' };
    const pinned = { ...withVersions(), pinnedFhirVersion: 'R4' as const };
    for (const [call, fetchSettings] of [
      [prefetched, withVersions()],
      [request({ patient }), refusing],
      [request({ patient }), pinned],
    ] as const) {
      const data = await resolvePrefetch(call, [PATIENT, CONDITIONS], fetchSettings);
      expect('serverVersion' in data).toBe(false);
    }
    expect(metadataReads()).toBe(0);
  });

  test('a read that fails unexpectedly fails the call while the data reads are pending, never unhandled', async () => {
    // Node 20 ends the process on an unhandled rejection (the whole service, not one call); jest fails the test.
    class FailingVersions extends ServerFhirVersions {
      override read(): Promise<undefined> {
        return Promise.reject(new TypeError('a defect in the version read'));
      }
    }
    const failing = { ...settings, serverFhirVersions: new FailingVersions() };
    await expect(resolvePrefetch(request({ patient }), [PATIENT, CONDITIONS], failing)).rejects.toThrow(
      'a defect in the version read',
    );
  });
});

test('a prefetched Bundle whose links are not "next" is complete: used as sent', async () => {
  const bundle = { ...searchset([conditionOf('sent')]), link: [{ relation: 'self', url: `${fhir.baseUrl}/x` }] };
  const data = await resolvePrefetch(request({ patient, conditions: bundle }), [PATIENT, CONDITIONS], settings);
  expect(ids(data.resources.conditions)).toEqual(['sent']);
  expect(fhir.requests).toEqual([]);
});

test('a Bundle with only a self link is complete, even without fhirServer; self and next is paged', async () => {
  const self = { relation: 'self', url: `${fhir.baseUrl}/Condition` };
  const complete = { ...searchset([conditionOf('sent')]), link: [self] };
  const data = await resolvePrefetch(
    request({ patient, conditions: complete }, { fhirServer: undefined }),
    [PATIENT, CONDITIONS],
    settings,
  );
  expect(data.status.conditions).toEqual({ available: true, source: 'prefetch' });
  const paged = { ...searchset([conditionOf('first-page')]), link: [self, { relation: 'next', url: `${self.url}?x` }] };
  const completed = await resolvePrefetch(request({ patient, conditions: paged }), [PATIENT, CONDITIONS], settings);
  expect(fhir.requests).not.toEqual([]);
  expect(completed.status.conditions).toEqual({ available: true, source: 'prefetch' });
});
