import { parseHookRequest } from '../../src/cds/hook-request';
import type { HookName } from '../../src/cds/protocol/hooks';
import { HttpError, type RequestProblem } from '../../src/cds/protocol/operation-outcome';

/**
 * Which problem a 400 names for each mistake in a hook call body, and what a valid body becomes. The HTTP layer turns
 * these problems into the OperationOutcome (test/integration/request-fuzz.test.ts drives that over HTTP).
 */

const INSTANCE = 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea';
const AUTH = {
  access_token: 'secret-token',
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'patient/*.read',
  subject: 'cds-service',
};

function body(hook: HookName, overrides: Record<string, unknown> = {}, context: Record<string, unknown> = {}) {
  return {
    hook,
    hookInstance: INSTANCE,
    context: { userId: 'Practitioner/1', patientId: 'p1', ...context },
    ...overrides,
  };
}

function problems(value: unknown, hook: HookName = 'patient-view'): RequestProblem[] {
  try {
    parseHookRequest(value, hook);
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) return error.problems;
    throw error;
  }
  throw new Error('the body was accepted');
}
const fields = (value: unknown, hook: HookName = 'patient-view') => problems(value, hook).map((p) => p.field);

const draftOrders = (entry: unknown) => ({ resourceType: 'Bundle', type: 'collection', entry });
const serviceRequest = (id: string) => ({ resource: { resourceType: 'ServiceRequest', id } });

describe('a valid call', () => {
  test('becomes the request the service evaluates, with nothing it did not send', () => {
    expect(parseHookRequest(body('patient-view'), 'patient-view')).toEqual({
      hook: 'patient-view',
      hookInstance: INSTANCE,
      context: { userId: 'Practitioner/1', patientId: 'p1' },
      prefetch: {},
    });
  });

  test('fhirServer loses its trailing slashes; null optional fields are left out', () => {
    const parsed = parseHookRequest(
      body('patient-view', { fhirServer: 'https://fhir.example.org/r4//', prefetch: null }, { encounterId: null }),
      'patient-view',
    );
    expect(parsed.fhirServer).toBe('https://fhir.example.org/r4');
    expect(parsed.prefetch).toEqual({});
    expect(parsed.context).toEqual({ userId: 'Practitioner/1', patientId: 'p1' });
    expect(parseHookRequest(body('patient-view', { fhirServer: null }), 'patient-view')).not.toHaveProperty(
      'fhirServer',
    );
  });

  test('prefixed ids are reduced to the bare id', () => {
    const parsed = parseHookRequest(
      body('patient-view', {}, { patientId: ' Patient/p-1.2 ', encounterId: 'Encounter/e9' }),
      'patient-view',
    );
    expect(parsed.context).toEqual({ userId: 'Practitioner/1', patientId: 'p-1.2', encounterId: 'e9' });
  });

  test('fhirAuthorization is kept, token type normalised, patient only when sent', () => {
    const withPatient = parseHookRequest(
      body('patient-view', {
        fhirServer: 'https://fhir.example.org',
        fhirAuthorization: { ...AUTH, token_type: 'bearer', patient: 'p1' },
      }),
      'patient-view',
    );
    expect(withPatient.fhirAuthorization).toEqual({ ...AUTH, patient: 'p1' });
    const withoutPatient = parseHookRequest(
      body('patient-view', { fhirServer: 'https://fhir.example.org', fhirAuthorization: { ...AUTH, expires_in: 0 } }),
      'patient-view',
    );
    expect(withoutPatient.fhirAuthorization).toEqual({ ...AUTH, expires_in: 0 });
    expect(parseHookRequest(body('patient-view', { fhirAuthorization: null }), 'patient-view')).not.toHaveProperty(
      'fhirAuthorization',
    );
  });

  test('order hooks keep the draft orders; order-select keeps the selections', () => {
    const drafts = draftOrders([serviceRequest('a'), serviceRequest('b')]);
    const sign = parseHookRequest(body('order-sign', {}, { draftOrders: drafts }), 'order-sign');
    expect(sign.context.draftOrders).toBe(drafts);
    const select = parseHookRequest(
      body('order-select', {}, { draftOrders: drafts, selections: ['ServiceRequest/b'] }),
      'order-select',
    );
    expect(select.context).toMatchObject({ draftOrders: drafts, selections: ['ServiceRequest/b'] });
    expect(
      parseHookRequest(body('order-sign', {}, { draftOrders: { resourceType: 'Bundle' } }), 'order-sign').context
        .draftOrders,
    ).toEqual({ resourceType: 'Bundle' });
  });

  test('patient-view ignores draft orders and selections', () => {
    const parsed = parseHookRequest(body('patient-view', {}, { draftOrders: 5, selections: 5 }), 'patient-view');
    expect(parsed.context).toEqual({ userId: 'Practitioner/1', patientId: 'p1' });
  });
});

describe('the problem a 400 names', () => {
  test('a body that is not an object is the only problem', () => {
    expect(problems([1])).toEqual([
      { field: 'body', message: 'must be a JSON object, got an array', problem: 'wrong-type' },
    ]);
  });

  test('a hook CDS Hooks does not define, or none: one problem, not also the wrong hook', () => {
    for (const hook of ['patient-open', undefined]) {
      expect(fields({ ...body('patient-view'), hook })).toEqual(['hook']);
    }
  });

  test('a missing context, or a context without patientId', () => {
    expect(problems({ hook: 'patient-view', hookInstance: INSTANCE })).toEqual([
      { field: 'context', message: 'is required', problem: 'required' },
    ]);
    expect(problems(body('patient-view', {}, { patientId: undefined }))).toEqual([
      { field: 'context.patientId', message: 'is required', problem: 'required' },
    ]);
  });

  test('only a leading Patient/ or Encounter/ is taken off an id', () => {
    expect(fields(body('patient-view', {}, { patientId: 'xPatient/1' }))).toEqual(['context.patientId']);
    const parsed = parseHookRequest(body('patient-view', {}, { encounterId: 'a/Encounter/e9' }), 'patient-view');
    expect(parsed.context.encounterId).toBe('a/Encounter/e9');
  });

  test('the wrong hook for the service', () => {
    expect(problems(body('order-sign'))).toEqual([
      { field: 'hook', message: 'this service answers "patient-view", not "order-sign"', problem: 'wrong-hook' },
    ]);
  });

  test('every problem at once', () => {
    expect(fields({ hook: 'patient-view', hookInstance: 'x', context: { userId: '', patientId: 'a b' } })).toEqual([
      'hookInstance',
      'context.userId',
      'context.patientId',
    ]);
  });

  test('fhirServer that is not an absolute http(s) URL', () => {
    expect(problems(body('patient-view', { fhirServer: 'ftp://fhir.example.org' }))).toEqual([
      { field: 'fhirServer', message: 'must be an absolute http(s) URL', problem: 'not-an-absolute-url' },
    ]);
  });

  test.each([
    ['a string', '300'],
    ['negative', -1],
    ['infinite', Number.POSITIVE_INFINITY],
    ['not a number', Number.NaN],
    ['missing', undefined],
  ])('fhirAuthorization.expires_in %s', (_name, expiresIn) => {
    const auth = { ...AUTH, expires_in: expiresIn };
    expect(problems(body('patient-view', { fhirServer: 'https://fhir.example.org', fhirAuthorization: auth }))).toEqual(
      [{ field: 'fhirAuthorization.expires_in', message: 'must be a number of seconds', problem: 'wrong-type' }],
    );
  });

  test.each([['MAC'], [5], [undefined]])('fhirAuthorization.token_type %p', (tokenType) => {
    const auth = { ...AUTH, token_type: tokenType };
    expect(problems(body('patient-view', { fhirServer: 'https://fhir.example.org', fhirAuthorization: auth }))).toEqual(
      [{ field: 'fhirAuthorization.token_type', message: 'must be "Bearer"', problem: 'not-an-allowed-value' }],
    );
  });

  test('fhirAuthorization members that are missing or not strings', () => {
    const auth = { token_type: 'Bearer', expires_in: 60, scope: 7, patient: 7 };
    expect(fields(body('patient-view', { fhirServer: 'https://fhir.example.org', fhirAuthorization: auth }))).toEqual([
      'fhirAuthorization.access_token',
      'fhirAuthorization.scope',
      'fhirAuthorization.subject',
      'fhirAuthorization.patient',
    ]);
    expect(
      fields(body('patient-view', { fhirServer: 'https://fhir.example.org', fhirAuthorization: 'token' })),
    ).toEqual(['fhirAuthorization']);
  });

  test('fhirAuthorization without fhirServer', () => {
    expect(problems(body('patient-view', { fhirAuthorization: AUTH }))).toEqual([
      { field: 'fhirServer', message: 'is required when fhirAuthorization is sent', problem: 'required' },
    ]);
  });

  test('a patient id that is not a FHIR id', () => {
    const message = 'must be a FHIR id (letters, digits, "-" and ".", at most 64 characters)';
    expect(problems(body('patient-view', {}, { patientId: 'a/b' }))).toEqual([
      { field: 'context.patientId', message, problem: 'not-a-fhir-id' },
    ]);
    expect(fields(body('patient-view', {}, { patientId: 'x'.repeat(65) }))).toEqual(['context.patientId']);
    expect(
      parseHookRequest(body('patient-view', {}, { patientId: 'x'.repeat(64) }), 'patient-view').context.patientId,
    ).toBe('x'.repeat(64));
  });

  test('an encounter id that is not a string', () => {
    expect(fields(body('patient-view', {}, { encounterId: 5 }))).toEqual(['context.encounterId']);
  });

  test('prefetch that is not an object', () => {
    expect(fields(body('patient-view', { prefetch: [] }))).toEqual(['prefetch']);
  });

  test('draft orders that are not a Bundle', () => {
    expect(problems(body('order-sign', {}, { draftOrders: { resourceType: 'Patient' } }), 'order-sign')).toEqual([
      { field: 'context.draftOrders.resourceType', message: 'must be "Bundle"', problem: 'wrong-resource-type' },
    ]);
    expect(fields(body('order-sign', {}, { draftOrders: 'bundle' }), 'order-sign')).toEqual(['context.draftOrders']);
    expect(fields(body('order-sign'), 'order-sign')).toEqual(['context.draftOrders']);
    expect(problems(body('order-sign', {}, { draftOrders: draftOrders({}) }), 'order-sign')).toEqual([
      { field: 'context.draftOrders.entry', message: 'must be an array', problem: 'wrong-type' },
    ]);
  });

  test('each draft entry: a resource, with a resourceType, and a string id when it has one', () => {
    const entries = [
      serviceRequest('ok'),
      null,
      {},
      { resource: { id: 'x' } },
      { resource: { resourceType: 'ServiceRequest', id: 5 } },
      { resource: { resourceType: 'ServiceRequest' } },
    ];
    expect(problems(body('order-sign', {}, { draftOrders: draftOrders(entries) }), 'order-sign')).toEqual([
      {
        field: 'context.draftOrders.entry[1].resource',
        message: 'is required: each entry must carry a draft resource',
        problem: 'required',
      },
      {
        field: 'context.draftOrders.entry[2].resource',
        message: 'is required: each entry must carry a draft resource',
        problem: 'required',
      },
      { field: 'context.draftOrders.entry[3].resource.resourceType', message: 'is required', problem: 'required' },
      { field: 'context.draftOrders.entry[4].resource.id', message: 'must be a string', problem: 'wrong-type' },
    ]);
  });

  test('order-select: selections are required and must name a draft order', () => {
    const drafts = draftOrders([serviceRequest('a'), null]);
    expect(
      fields(body('order-select', {}, { draftOrders: draftOrders([serviceRequest('a')]) }), 'order-select'),
    ).toEqual(['context.selections']);
    expect(
      problems(
        body('order-select', {}, { draftOrders: drafts, selections: ['ServiceRequest/a', 'ServiceRequest/zz'] }),
        'order-select',
      ),
    ).toEqual([
      { field: 'context.draftOrders.entry[1].resource', message: expect.any(String), problem: 'required' },
      {
        field: 'context.selections[1]',
        message: '"ServiceRequest/zz" does not name a resource in context.draftOrders',
        problem: 'unknown-selection',
      },
    ]);
  });

  test('an unknown selection is quoted shortened to 80 characters', () => {
    const selection = `ServiceRequest/${'x'.repeat(100)}`;
    const drafts = draftOrders([serviceRequest('a')]);
    expect(
      problems(body('order-select', {}, { draftOrders: drafts, selections: [selection] }), 'order-select'),
    ).toEqual([
      {
        field: 'context.selections[0]',
        message: `"${selection.slice(0, 80)}" does not name a resource in context.draftOrders`,
        problem: 'unknown-selection',
      },
    ]);
  });
});
