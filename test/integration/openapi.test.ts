import path from 'node:path';
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { startService, PROJECT_ROOT, type RunningService } from '../support/spine-service';

/**
 * /openapi.json against real answers: every documented (path, method, status) is provoked from a running
 * service, and its content type, documented headers and body must match the description.
 */

type Json = Record<string, any>;

interface Observed {
  path: string;
  method: 'get' | 'post';
  response: Response;
}

const PATIENT_VIEW = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'requests', 'patient-view.json'), 'utf8'),
);

describe('GET /openapi.json describes the real answers', () => {
  let open: RunningService;
  let authenticated: RunningService;
  let limited: RunningService;
  let document: Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const checked = new Set<string>();

  beforeAll(async () => {
    open = await startService();
    authenticated = await startService({ SPINE_CDS_TRUST_FILE: 'deploy/trust/trust.development.json' });
    limited = await startService({ SPINE_CDS_RATE_LIMIT_PER_SECOND: '1', SPINE_CDS_RATE_LIMIT_BURST: '1' });
    const response = await fetch(`${open.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Json;
    ajv.addSchema(document, 'openapi');
  });

  afterAll(async () => {
    await Promise.all([open, authenticated, limited].map((service) => service?.close()));
  });

  function resolve(node: Json): Json {
    if (typeof node.$ref !== 'string') return node;
    return node.$ref
      .slice(2)
      .split('/')
      .reduce((at: Json, key: string) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  }

  /** Checks one observed answer against the description, and records that this (path, method, status) was seen. */
  async function conforms({ path: template, method, response }: Observed): Promise<void> {
    const operation = document.paths[template]?.[method];
    expect(operation).toBeDefined();
    const documented = operation.responses[String(response.status)];
    if (!documented) throw new Error(`${method.toUpperCase()} ${template} answered ${response.status}, not documented`);
    const answer = resolve(documented);
    for (const [name, header] of Object.entries<Json>(answer.headers ?? {})) {
      const value = response.headers.get(name);
      expect({ header: name, value }).toEqual({ header: name, value: expect.any(String) });
      expect(ajv.validate(header.schema, value)).toBe(true);
    }
    const body = await response.text();
    if (!answer.content) {
      expect(body).toBe('');
    } else {
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0];
      const media = answer.content[mediaType];
      if (!media) throw new Error(`${method} ${template} ${response.status}: ${mediaType} is not documented`);
      if (media.schema) {
        const pathKey = template.replace(/~/g, '~0').replace(/\//g, '~1');
        const pointer = `openapi#/paths/${pathKey}/${method}/responses/${response.status}`;
        const schemaRef = documented.$ref
          ? `openapi${documented.$ref}/content/${mediaType.replace(/\//g, '~1')}/schema`
          : `${pointer}/content/${mediaType.replace(/\//g, '~1')}/schema`;
        const valid = ajv.validate({ $ref: schemaRef }, JSON.parse(body));
        expect({ status: response.status, errors: valid ? null : ajv.errors }).toEqual({
          status: response.status,
          errors: null,
        });
      }
    }
    checked.add(`${method} ${template} ${response.status}`);
  }

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('discovery, health, readiness and the HTML pages', async () => {
    for (const page of ['/cds-services', '/healthz', '/readyz', '/rules', '/', '/docs', '/openapi.json']) {
      await conforms({ path: page, method: 'get', response: await fetch(`${open.baseUrl}${page}`) });
    }
    await conforms({
      path: '/cds-services',
      method: 'get',
      response: await fetch(`${authenticated.baseUrl}/cds-services`),
    });
    await fetch(`${limited.baseUrl}/cds-services`);
    await conforms({ path: '/cds-services', method: 'get', response: await fetch(`${limited.baseUrl}/cds-services`) });
  });

  test('readiness names the release of package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const ready = (await (await fetch(`${open.baseUrl}/readyz`)).json()) as Json;
    expect(ready.version).toBe(version);
    expect(document.info.version).toBe(version);
  });

  test('hook calls: cards and every documented error', async () => {
    const hook = '/cds-services/{id}';
    const url = `${open.baseUrl}/cds-services/spine-patient-view`;
    const withoutConditions = { ...PATIENT_VIEW, prefetch: { patient: PATIENT_VIEW.prefetch.patient } };
    const answers: Array<[string, Promise<Response>]> = [
      ['200', post(url, PATIENT_VIEW)],
      ['400', post(url, '{"hook": ')],
      ['404', post(`${open.baseUrl}/cds-services/nope`, PATIENT_VIEW)],
      ['412', post(url, withoutConditions)],
      ['413', post(url, JSON.stringify({ padding: 'x'.repeat(11 * 1024 * 1024) }))],
      ['415', fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })],
      ['401', post(`${authenticated.baseUrl}/cds-services/spine-patient-view`, PATIENT_VIEW)],
    ];
    for (const [status, answer] of answers) {
      const response = await answer;
      expect(String(response.status)).toBe(status);
      await conforms({ path: hook, method: 'post', response });
    }
    // A service of its own, so its one-request bucket is full whatever the other tests spent on `limited`.
    const fresh = await startService({ SPINE_CDS_RATE_LIMIT_PER_SECOND: '1', SPINE_CDS_RATE_LIMIT_BURST: '1' });
    try {
      const first = await post(`${fresh.baseUrl}/cds-services/spine-patient-view`, PATIENT_VIEW);
      const second = await post(`${fresh.baseUrl}/cds-services/spine-patient-view`, PATIENT_VIEW);
      expect([first.status, second.status]).toEqual([200, 429]);
      await conforms({ path: hook, method: 'post', response: second });
    } finally {
      await fresh.close();
    }
  });

  test('feedback', async () => {
    const feedback = '/cds-services/{id}/feedback';
    const entry = {
      card: 'c1',
      outcome: 'accepted',
      acceptedSuggestions: [{ id: 's1' }],
      outcomeTimestamp: new Date().toISOString(),
    };
    const answers: Array<[number, Promise<Response>]> = [
      [200, post(`${open.baseUrl}/cds-services/spine-patient-view/feedback`, { feedback: [entry] })],
      [400, post(`${open.baseUrl}/cds-services/spine-patient-view/feedback`, { feedback: [] })],
      [404, post(`${open.baseUrl}/cds-services/nope/feedback`, { feedback: [entry] })],
      [401, post(`${authenticated.baseUrl}/cds-services/spine-patient-view/feedback`, { feedback: [entry] })],
    ];
    for (const [status, answer] of answers) {
      const response = await answer;
      expect(response.status).toBe(status);
      await conforms({ path: feedback, method: 'post', response });
    }
  });

  test('every documented answer was provoked and checked', () => {
    const documented = Object.entries<Json>(document.paths).flatMap(([template, operations]) =>
      Object.entries<Json>(operations).flatMap(([method, operation]) =>
        Object.keys(operation.responses).map((status) => `${method} ${template} ${status}`),
      ),
    );
    expect([...checked].sort()).toEqual(documented.sort());
  });
});
