import { randomUUID } from 'node:crypto';
import { unsupportedTokens } from '../../src/cds/prefetch-template';
import type { ProblemCode } from '../../src/cds/protocol/problem-codes';
import { problemsOf } from '../support/problems';
import { postJson, startService, type RunningService } from '../support/spine-service';
import { draftServiceRequest, fullPrefetch, SNOMED } from '../fixtures/fhir';
import { typicalPatient } from '../fixtures/patients';

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(() => service.close());

const hookUrl = (id = 'spine-patient-view') => `${service.baseUrl}/cds-services/${id}`;

const validPatientView = () => ({
  hook: 'patient-view',
  hookInstance: randomUUID(),
  context: { userId: 'Practitioner/dr-1', patientId: 'p-typical' },
  prefetch: fullPrefetch(typicalPatient()),
});

describe('discovery', () => {
  test('lists one service per hook with 2.0-only prefetch tokens and usage requirements', async () => {
    const response = await fetch(`${service.baseUrl}/cds-services`);
    expect(response.status).toBe(200);
    const { services } = (await response.json()) as { services: Array<Record<string, any>> };
    expect(services.map((s) => s.hook).sort()).toEqual(['order-select', 'order-sign', 'patient-view']);
    for (const entry of services) {
      expect(entry).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          title: expect.any(String),
          description: expect.any(String),
          usageRequirements: expect.any(String),
        }),
      );
      for (const template of Object.values(entry.prefetch) as string[]) {
        expect(unsupportedTokens(template)).toEqual([]);
        // Recommended subset: a read, or a type search on patient with token equality parameters.
        const read = /Patient\/\{\{context\.patientId\}\}/.source;
        const search = /[A-Za-z]+\?patient=\{\{context\.patientId\}\}(&(code|status)=[^&]+)*/.source;
        expect(template).toMatch(new RegExp(`^(${read}|${search})$`));
      }
    }
  });
});

describe('malformed hook requests get a 4xx OperationOutcome naming the field', () => {
  const cases: Array<[string, () => unknown, number, string, ProblemCode]> = [
    ['no hookInstance', () => ({ ...validPatientView(), hookInstance: undefined }), 400, 'hookInstance', 'required'],
    [
      'a hookInstance that is not a UUID',
      () => ({ ...validPatientView(), hookInstance: '12345' }),
      400,
      'hookInstance',
      'not-a-uuid',
    ],
    [
      'the wrong hook for the service',
      () => ({ ...validPatientView(), hook: 'order-sign' }),
      400,
      'hook',
      'wrong-hook',
    ],
    ['an unknown hook', () => ({ ...validPatientView(), hook: 'patient-vue' }), 400, 'hook', 'not-an-allowed-value'],
    ['no context', () => ({ ...validPatientView(), context: undefined }), 400, 'context', 'required'],
    ['context as a string', () => ({ ...validPatientView(), context: 'p-typical' }), 400, 'context', 'wrong-type'],
    [
      'no patientId',
      () => ({ ...validPatientView(), context: { userId: 'Practitioner/1' } }),
      400,
      'context.patientId',
      'required',
    ],
    [
      'a patientId with a path',
      () => ({ ...validPatientView(), context: { userId: 'Practitioner/1', patientId: '../etc' } }),
      400,
      'context.patientId',
      'not-a-fhir-id',
    ],
    [
      'no userId',
      () => ({ ...validPatientView(), context: { patientId: 'p-typical' } }),
      400,
      'context.userId',
      'required',
    ],
    [
      'fhirAuthorization without fhirServer',
      () => ({
        ...validPatientView(),
        fhirAuthorization: { access_token: 'x', token_type: 'Bearer', expires_in: 300, scope: 's', subject: 'c' },
      }),
      400,
      'fhirServer',
      'required',
    ],
    [
      'fhirAuthorization with a bad token_type',
      () => ({
        ...validPatientView(),
        fhirServer: 'https://ehr.example/fhir',
        fhirAuthorization: { access_token: 'x', token_type: 'MAC', expires_in: 300, scope: 's', subject: 'c' },
      }),
      400,
      'fhirAuthorization.token_type',
      'not-an-allowed-value',
    ],
    [
      'a relative fhirServer',
      () => ({ ...validPatientView(), fhirServer: '/fhir' }),
      400,
      'fhirServer',
      'not-an-absolute-url',
    ],
    ['prefetch as an array', () => ({ ...validPatientView(), prefetch: [] }), 400, 'prefetch', 'wrong-type'],
    [
      'a prefetch resource sent as a JSON string',
      () => ({
        ...validPatientView(),
        prefetch: { ...fullPrefetch(typicalPatient()), patient: '{"resourceType":"Patient"}' },
      }),
      400,
      'prefetch.patient',
      'wrong-type',
    ],
    [
      'a prefetch key with the wrong resource type',
      () => ({
        ...validPatientView(),
        prefetch: { ...fullPrefetch(typicalPatient()), patient: { resourceType: 'Condition', id: 'x' } },
      }),
      400,
      'prefetch.patient.resourceType',
      'wrong-resource-type',
    ],
    ['a JSON array body', () => [validPatientView()], 400, 'body', 'wrong-type'],
    ['a JSON number body', () => 42, 400, 'body', 'wrong-type'],
  ];
  test.each(cases)('%s', async (_name, body, status, field, problem) => {
    const response = await postJson(hookUrl(), body());
    expect(response.status).toBe(status);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(problemsOf(response.body)).toContainEqual({ field, problem });
  });

  test('order-sign without draftOrders, and order-select whose selection is not among them', async () => {
    const base = { hookInstance: randomUUID(), context: { userId: 'Practitioner/1', patientId: 'p-typical' } };
    const sign = await postJson(hookUrl('spine-order-sign'), { ...base, hook: 'order-sign' });
    expect(sign.status).toBe(400);
    expect(problemsOf(sign.body)).toEqual([{ field: 'context.draftOrders', problem: 'required' }]);
    const draft = draftServiceRequest('p-typical', 'sr-1', [
      SNOMED,
      '308447003',
      'Referral to physiotherapist (procedure)',
    ]);
    const select = await postJson(hookUrl('spine-order-select'), {
      ...base,
      hook: 'order-select',
      context: {
        ...base.context,
        selections: ['ServiceRequest/other'],
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
      },
    });
    expect(select.status).toBe(400);
    expect(problemsOf(select.body)).toEqual([{ field: 'context.selections[0]', problem: 'unknown-selection' }]);
  });

  test('invalid JSON is a 400, not a 500', async () => {
    const response = await postJson(hookUrl(), '{"hook": "patient-view",');
    expect(response.status).toBe(400);
    expect(problemsOf(response.body)).toEqual([{ field: 'body', problem: 'body-not-json' }]);
  });

  test('a non-JSON content type is a 415', async () => {
    const response = await fetch(hookUrl(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(validPatientView()),
    });
    expect(response.status).toBe(415);
    expect(problemsOf(await response.json())).toEqual([{ field: 'Content-Type', problem: 'unsupported-media-type' }]);
  });

  test('an empty body is a 400', async () => {
    const response = await fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    // An empty body reads as {}: each required field is named.
    expect(problemsOf(await response.json())).toEqual(
      expect.arrayContaining(['hook', 'hookInstance', 'context'].map((field) => ({ field, problem: 'required' }))),
    );
  });

  test('a body over the limit is a 413', async () => {
    const small = await startService({ SPINE_CDS_BODY_LIMIT_BYTES: '2048' });
    try {
      const response = await postJson(`${small.baseUrl}/cds-services/spine-patient-view`, validPatientView());
      expect(response.status).toBe(413);
      expect(response.body.issue[0].diagnostics).toMatch(/larger than 2048 bytes/);
      expect(problemsOf(response.body)).toEqual([{ field: 'body', problem: 'body-too-large' }]);
    } finally {
      await small.close();
    }
  });

  test('JSON nested deeper than the limit is a 400', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const response = await postJson(hookUrl(), { ...validPatientView(), extension: deep });
    expect(response.status).toBe(400);
    expect(problemsOf(response.body)).toEqual([{ field: 'body', problem: 'body-too-deep' }]);
  });

  test.each(['toString', '__proto__'])('a "%s" key anywhere in the body is a 400, not a crash', async (key) => {
    const body = validPatientView();
    const text = JSON.stringify({ ...body, context: { ...body.context, extra: { placeholder: 0 } } }).replace(
      '"placeholder"',
      `"${key}"`,
    );
    const response = await postJson(hookUrl(), text);
    expect(response.status).toBe(400);
    expect(response.body.issue[0].diagnostics).toMatch(new RegExp(`the JSON key "${key}" is not allowed`));
    expect(problemsOf(response.body)).toEqual([{ field: 'body', problem: 'body-not-json' }]);
  });

  test('an unknown service is a 404 OperationOutcome', async () => {
    const response = await postJson(hookUrl('no-such-service'), validPatientView());
    expect(response.status).toBe(404);
    expect(response.body.issue[0].diagnostics).toMatch(/no CDS service "no-such-service"/);
    expect(problemsOf(response.body)).toEqual([{ field: 'id', problem: 'no-such-service' }]);
  });

  test('an unknown service is a 404 even when the body is malformed', async () => {
    const response = await postJson(hookUrl('no-such-service'), '{"hook": ');
    expect(response.status).toBe(404);
    const feedback = await postJson(`${hookUrl('no-such-service')}/feedback`, '[');
    expect(feedback.status).toBe(404);
  });

  test('unknown routes answer 404 JSON, not HTML', async () => {
    const response = await fetch(`${service.baseUrl}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/fhir\+json/);
  });
});

describe('tolerance for what real clients send', () => {
  test('unknown extensions, null optional fields and no prefetch keys for null are accepted', async () => {
    const response = await postJson(hookUrl(), {
      ...validPatientView(),
      extension: { 'com.example': { anything: true } },
      fhirAuthorization: null,
      fhirServer: null,
    });
    expect(response.status).toBe(200);
  });

  test('order-sign with no pathway order answers {"cards": []} without reading any data', async () => {
    const draft = draftServiceRequest('p-typical', 'sr-lab', [SNOMED, '26604007', 'Complete blood count (procedure)']);
    const response = await postJson(hookUrl('spine-order-sign'), {
      hook: 'order-sign',
      hookInstance: randomUUID(),
      context: {
        userId: 'Practitioner/1',
        patientId: 'p-typical',
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
      },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ cards: [] });
  });
});

describe('feedback', () => {
  const feedbackUrl = () => `${hookUrl()}/feedback`;

  test(`accepted and overridden outcomes are recorded in \
the log; the Sandbox reason without display is accepted`, async () => {
    const card = randomUUID();
    const response = await postJson(feedbackUrl(), {
      feedback: [
        {
          card,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: randomUUID() }],
          outcomeTimestamp: '2026-11-21T10:00:00Z',
        },
        {
          card,
          outcome: 'overridden',
          overrideReason: {
            reason: { system: 'https://fhir.spine-cds.example/CodeSystem/override-reason', code: 'patient-declined' },
          },
          outcomeTimestamp: '2026-11-21T10:01:00.000+01:00',
        },
      ],
    });
    expect(response.status).toBe(200);
    const logged = service.logs.filter((entry) => entry.event === 'feedback' && entry.card === card);
    expect(logged.map((entry) => entry.outcome)).toEqual(['accepted', 'overridden']);
    expect(logged[1].overrideReasonCode).toBe('patient-declined');
  });

  test.each([
    ['no feedback array', {}, 'feedback'],
    ['an empty feedback array', { feedback: [] }, 'feedback'],
    [
      'an unknown outcome',
      { feedback: [{ card: 'c', outcome: 'ignored', outcomeTimestamp: '2026-11-21T10:00:00Z' }] },
      'feedback[0].outcome',
    ],
    [
      'accepted without acceptedSuggestions',
      { feedback: [{ card: 'c', outcome: 'accepted', outcomeTimestamp: '2026-11-21T10:00:00Z' }] },
      'feedback[0].acceptedSuggestions',
    ],
    ['no outcomeTimestamp', { feedback: [{ card: 'c', outcome: 'overridden' }] }, 'feedback[0].outcomeTimestamp'],
    [
      'a timestamp without time zone',
      { feedback: [{ card: 'c', outcome: 'overridden', outcomeTimestamp: '2026-11-21 10:00' }] },
      'feedback[0].outcomeTimestamp',
    ],
    [
      'no card',
      { feedback: [{ outcome: 'overridden', outcomeTimestamp: '2026-11-21T10:00:00Z' }] },
      'feedback[0].card',
    ],
  ])('%s is a 400 naming the field', async (_name, body, field) => {
    const response = await postJson(feedbackUrl(), body);
    expect(response.status).toBe(400);
    expect(response.body.issue.map((issue: { expression?: string[] }) => issue.expression?.[0])).toContain(field);
  });

  test('feedback for an unknown service is a 404', async () => {
    const response = await postJson(`${service.baseUrl}/cds-services/nope/feedback`, { feedback: [] });
    expect(response.status).toBe(404);
  });
});

describe('operations and browsers', () => {
  test('healthz and readyz', async () => {
    expect(await (await fetch(`${service.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await (await fetch(`${service.baseUrl}/readyz`)).json();
    expect(ready).toEqual({
      status: 'ready',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      ruleSetVersion: expect.stringMatching(/^[0-9a-f]{12}$/),
      rulesProfile: 'default',
    });
  });

  test.each(['/cds-services', '/cds-services/spine-patient-view', '/cds-services/spine-patient-view/feedback'])(
    'CORS preflight is answered on %s',
    async (path) => {
      const response = await fetch(`${service.baseUrl}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://sandbox.cds-hooks.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    },
  );

  test('CORS headers are on POST responses too', async () => {
    const response = await postJson(hookUrl(), validPatientView(), { origin: 'https://sandbox.cds-hooks.org' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});
