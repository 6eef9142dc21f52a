import { createPublicKey, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { ensureDevKeyPair, mintDevToken } from '../../src/cli/dev-keys';
import { JSON_CONTENT_SECURITY_POLICY } from '../../src/http/security-headers';
import { fullPrefetch } from '../fixtures/fhir';
import { typicalPatient } from '../fixtures/patients';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import {
  sign,
  signingKey,
  startJwksServer,
  writeTrustFile,
  type JwksServer,
  type SigningKey,
  type TokenOptions,
} from '../support/jwt';
import { recordFetches, startConnectionTrap, type ConnectionTrap, type FetchRecorder } from '../support/outbound';
import { postJson, PROJECT_ROOT, startService, TEST_NOW, type RunningService } from '../support/spine-service';
import { wallClockTest } from '../support/wall-clock';

/** What the EHR sees: behind a proxy that adds a path prefix and TLS, so `aud` is never the loopback URL. */
const PUBLIC_BASE = 'https://cds.example.org/spine';
const ISSUER_A = 'https://ehr-a.example';
const ISSUER_B = 'https://ehr-b.example';
const ISSUER_SLOW = 'https://ehr-slow.example';
const SANDBOX = 'https://sandbox.cds-hooks.org';
const SANDBOX_JKU = 'https://sandbox.cds-hooks.org/.well-known/jwks.json';
const SANDBOX_KID = '44823f3d-0b01-4a6c-a80e-b9d3e8a7226f';
const ALLOWED_ORIGIN = 'https://ehr-a.example';
const FHIR_ACCESS_TOKEN = 'fhir-access-token-7d0c1e5b-never-logged';
const PATIENT_ID = 'p-typical';
const JWKS_MIN_REFRESH_MS = 1000;

const HOOK = '/cds-services/spine-patient-view';
const FEEDBACK = `${HOOK}/feedback`;

let es: SigningKey;
let rs: SigningKey;
let jwks: JwksServer;
let slowJwks: JwksServer;
let fhir: FhirTestServer;
let trap: ConnectionTrap;
let fetches: FetchRecorder;
let service: RunningService;
let trustFile: string;
const issuedTokens: string[] = [];

beforeAll(async () => {
  [es, rs] = await Promise.all([signingKey('ES384', 'a-es'), signingKey('RS384', 'a-rs')]);
  [jwks, slowJwks, fhir, trap] = await Promise.all([
    startJwksServer(),
    startJwksServer(),
    startFhirTestServer(),
    startConnectionTrap(),
  ]);
  await fhir.load(typicalPatient());
  slowJwks.delay(3000);
  fetches = recordFetches();
  trustFile = writeTrustFile({
    issuers: [
      {
        iss: ISSUER_A,
        jwks: { keys: [es.publicJwk, rs.publicJwk] },
        tenants: ['tenant-a'],
        fhirServers: [fhir.baseUrl],
      },
      { iss: ISSUER_B, allowedJku: [jwks.url] },
      { iss: ISSUER_SLOW, allowedJku: [slowJwks.url] },
      {
        iss: SANDBOX,
        jwksFile: path.join(PROJECT_ROOT, 'deploy', 'trust', 'cds-hooks-sandbox-jwks.json'),
        allowedJku: [SANDBOX_JKU],
        algorithms: ['ES384'],
      },
    ],
  });
  service = await startService({
    SPINE_CDS_TRUST_FILE: trustFile,
    SPINE_CDS_PUBLIC_BASE_URL: PUBLIC_BASE,
    SPINE_CDS_CORS_ORIGINS: ALLOWED_ORIGIN,
    SPINE_CDS_FHIR_SERVERS: `${trap.origin}/fhir`,
    SPINE_CDS_FHIR_DEADLINE_MS: '600',
    SPINE_CDS_JWKS_TIMEOUT_MS: '500',
    SPINE_CDS_JWKS_MIN_REFRESH_INTERVAL_MS: String(JWKS_MIN_REFRESH_MS),
  });
});

afterAll(async () => {
  fetches.restore();
  await Promise.all([service.close(), jwks.close(), slowJwks.close(), fhir.close(), trap.close()]);
});

beforeEach(() => fhir.reset());

/**
 * Signs for issuer A (tenant-a) and the hook endpoint unless told otherwise; remembers the token for the leak
 * check.
 */
async function token(key: SigningKey, options: Partial<TokenOptions> = {}): Promise<string> {
  const signed = await sign(key, {
    iss: ISSUER_A,
    aud: PUBLIC_BASE + HOOK,
    now: TEST_NOW,
    ...options,
    claims: { tenant: 'tenant-a', ...options.claims },
  });
  issuedTokens.push(signed);
  return signed;
}

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

function patientView(extra: Record<string, unknown> = {}) {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/dr-1', patientId: PATIENT_ID },
    prefetch: fullPrefetch(typicalPatient()),
    ...extra,
  };
}

const callHook = (headers: Record<string, string>, body: unknown = patientView()) =>
  postJson(service.baseUrl + HOOK, body, headers);

/** The one log line of the latest refusal. */
function lastRejection(): Record<string, unknown> {
  return service.logs.filter((entry) => entry.event === 'auth-rejected').at(-1) as Record<string, unknown>;
}

/** URLs fetched by the service itself since `from` (the test's own calls to the service aside). */
const outboundSince = (from: number) => fetches.urls.slice(from).filter((url) => !url.startsWith(service.baseUrl));

const base64urlJson = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unsigned = (header: object, payload: object) => `${base64urlJson(header)}.${base64urlJson(payload)}.`;

const now = Math.floor(TEST_NOW.getTime() / 1000);

describe('JWT verification', () => {
  test('a valid ES384 token opens discovery', async () => {
    const response = await fetch(`${service.baseUrl}/cds-services`, {
      headers: bearer(await token(es, { aud: `${PUBLIC_BASE}/cds-services` })),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { services: unknown[] }).services.length).toBeGreaterThan(0);
  });

  test('a valid RS384 token opens a hook call, and the audit line names the caller', async () => {
    const response = await callHook(bearer(await token(rs)));
    expect(response.status).toBe(200);
    expect(response.body.cards.length).toBeGreaterThan(0);
    const audit = service.logs.filter((line) => line.event === 'hook-call').at(-1);
    expect(audit).toMatchObject({ iss: expect.any(String), jti: expect.any(String) });
  });

  test('a valid token opens feedback', async () => {
    const feedback = {
      feedback: [{ card: randomUUID(), outcome: 'overridden', outcomeTimestamp: '2026-11-21T10:00:00Z' }],
    };
    const response = await postJson(
      service.baseUrl + FEEDBACK,
      feedback,
      bearer(await token(es, { aud: PUBLIC_BASE + FEEDBACK })),
    );
    expect(response.status).toBe(200);
  });

  test('aud may be an array, and unknown claims (sub, a past nbf, vendor claims) are tolerated', async () => {
    const jwt = await token(rs, {
      aud: ['https://other.example/x', PUBLIC_BASE + HOOK],
      claims: { sub: 'svc-user', nbf: now - 10, 'https://vendor.example/claim': { x: 1 } },
    });
    expect((await callHook(bearer(jwt))).status).toBe(200);
  });

  test('health checks need no token', async () => {
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.baseUrl}/readyz`)).status).toBe(200);
  });

  const refusals: Array<[string, () => Promise<Record<string, string>>, RegExp]> = [
    ['no Authorization header', async () => ({}), /no bearer token/],
    ['a Basic Authorization header', async () => ({ authorization: 'Basic dXNlcjpwYXNz' }), /not a bearer token/],
    ['a bearer value that is not a JWT', async () => ({ authorization: 'Bearer not.a-jwt' }), /malformed/],
    [
      'a forged signature (right kid, wrong key)',
      async () => bearer(await token(await signingKey('ES384', es.kid))),
      /signature verification failed/,
    ],
    [
      'alg none',
      async () =>
        bearer(
          unsigned(
            { alg: 'none', typ: 'JWT', kid: es.kid },
            { iss: ISSUER_A, aud: PUBLIC_BASE + HOOK, iat: now, exp: now + 300, jti: randomUUID(), tenant: 'tenant-a' },
          ),
        ),
      /algorithm "none" is not allowed/,
    ],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const pem = createPublicKey({ key: rs.publicJwk as never, format: 'jwk' }).export({
          type: 'spki',
          format: 'pem',
        });
        const claims = {
          iss: ISSUER_A,
          aud: PUBLIC_BASE + HOOK,
          iat: now,
          exp: now + 300,
          jti: randomUUID(),
          tenant: 'tenant-a',
        };
        return bearer(
          await new SignJWT(claims)
            .setProtectedHeader({ alg: 'HS256', kid: rs.kid })
            .sign(new TextEncoder().encode(pem.toString())),
        );
      },
      /algorithm "HS256" is not allowed/,
    ],
    [
      'an algorithm the issuer does not allow (ES256)',
      async () => bearer(await token(await signingKey('ES256', es.kid))),
      /algorithm "ES256" is not allowed/,
    ],
    [
      'an expired token',
      async () => bearer(await token(es, { claims: { iat: now - 400, exp: now - 60 } })),
      /"exp" claim timestamp check failed/,
    ],
    [
      'a token not yet valid (nbf)',
      async () => bearer(await token(es, { claims: { nbf: now + 300 } })),
      /"nbf" claim timestamp check failed/,
    ],
    [
      'a token issued in the future',
      async () => bearer(await token(es, { claims: { iat: now + 300, exp: now + 600 } })),
      /"iat" claim timestamp check failed/,
    ],
    [
      'a token older than the maximum age',
      async () => bearer(await token(es, { claims: { iat: now - 3600, exp: now + 60 } })),
      /"iat" claim timestamp check failed/,
    ],
    [
      'aud set to the internal URL instead of the public one',
      async () => bearer(await token(es, { aud: service.baseUrl + HOOK })),
      /"aud"/,
    ],
    [
      'aud of another endpoint',
      async () => bearer(await token(es, { aud: `${PUBLIC_BASE}/cds-services/spine-order-sign` })),
      /"aud"/,
    ],
    ['no aud', async () => bearer(await token(es, { claims: { aud: undefined } })), /"aud"/],
    [
      'an unknown issuer',
      async () => bearer(await token(es, { iss: 'https://stranger.example' })),
      /issuer is not trusted/,
    ],
    [
      'a jku off the allowlist (jku issuer)',
      async () => bearer(await token(es, { iss: ISSUER_B, header: { jku: 'https://attacker.example/jwks.json' } })),
      /jku is not on the allowlist/,
    ],
    [
      'a jku off the allowlist (pinned issuer)',
      async () => bearer(await token(es, { header: { jku: 'https://attacker.example/jwks.json' } })),
      /jku is not on the allowlist/,
    ],
    [
      'no jku for an issuer whose keys are only reachable by jku',
      async () => bearer(await token(es, { iss: ISSUER_B })),
      /names no jku/,
    ],
    ['an unknown kid', async () => bearer(await token(await signingKey('ES384', 'who-is-this'))), /no applicable key/],
    [
      'a tenant the issuer does not allow',
      async () => bearer(await token(es, { claims: { tenant: 'tenant-b' } })),
      /tenant is not allowed/,
    ],
    [
      'no tenant where the issuer requires one',
      async () => bearer(await token(es, { claims: { tenant: undefined } })),
      /tenant is not allowed/,
    ],
    ['no jti', async () => bearer(await token(es, { claims: { jti: undefined } })), /"jti"/],
    ['no exp', async () => bearer(await token(es, { claims: { exp: undefined } })), /"exp"/],
    [
      'an access token (typ at+jwt)',
      async () => bearer(await token(es, { header: { typ: 'at+jwt' } })),
      /token type \(typ\) "at\+jwt" is not JWT/,
    ],
    [
      'typ application/at+jwt',
      async () => bearer(await token(es, { header: { typ: 'application/at+jwt' } })),
      /token type \(typ\) "application\/at\+jwt" is not JWT/,
    ],
    [
      'a typ that is not a string',
      async () => bearer(await token(es, { header: { typ: 42 as never } })),
      /token type \(typ\) "42" is not JWT/,
    ],
  ];

  test.each(refusals)('%s: bare 401, one log line with the reason', async (_name, headers, reason) => {
    const response = await callHook(await headers());
    expect(response.status).toBe(401);
    expect(response.body).toBeUndefined();
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(lastRejection()).toMatchObject({ path: HOOK, reason: expect.stringMatching(reason) });
  });

  test.each([['JWT'], ['jwt'], ['application/jwt'], [undefined]])('typ %s is accepted', async (typ) => {
    expect((await callHook(bearer(await token(es, { header: { typ } })))).status).toBe(200);
  });

  test('a replayed jti is refused within the token lifetime', async () => {
    const jwt = await token(es);
    expect((await callHook(bearer(jwt))).status).toBe(200);
    expect((await callHook(bearer(jwt))).status).toBe(401);
    expect(lastRejection()).toMatchObject({
      iss: ISSUER_A,
      kid: es.kid,
      tenant: 'tenant-a',
      reason: 'jti was already used',
    });
    expect(lastRejection().jti).toEqual(expect.any(String));
  });

  test('the refusal line gives the expected and the received aud and iss, never the token', async () => {
    const jwt = await token(es, { aud: service.baseUrl + HOOK });
    expect((await callHook(bearer(jwt))).status).toBe(401);
    expect(lastRejection()).toMatchObject({
      expectedAud: PUBLIC_BASE + HOOK,
      aud: service.baseUrl + HOOK,
      expectedIss: expect.arrayContaining([ISSUER_A, ISSUER_B]),
      iss: ISSUER_A,
    });
    expect(service.rawLogs()).not.toContain(jwt);
  });

  test('an unknown service path is 401 before anything else, so services cannot be probed', async () => {
    expect((await postJson(`${service.baseUrl}/cds-services/nope`, {})).status).toBe(401);
  });

  test(`a Sandbox-shaped token (its kid and jku) not signed by \
the Sandbox key is refused, and the jku is never fetched`, async () => {
    const impostor = await signingKey('ES384', SANDBOX_KID);
    const jwt = await token(impostor, { iss: SANDBOX, header: { jku: SANDBOX_JKU }, claims: { tenant: undefined } });
    expect((await callHook(bearer(jwt))).status).toBe(401);
    expect(lastRejection().reason).toMatch(/signature verification failed/);
    expect(fetches.urls.filter((url) => url.includes('cds-hooks.org'))).toEqual([]);
  });
});

describe('keys from an allowlisted jku', () => {
  test('keys are fetched once, cached, and a rotated key is fetched when its kid first appears', async () => {
    const first = await signingKey('ES384', 'rot-1');
    const second = await signingKey('RS384', 'rot-2');
    jwks.publish([first.publicJwk]);
    const before = jwks.hits();
    const viaJku = (key: SigningKey) =>
      token(key, { iss: ISSUER_B, header: { jku: jwks.url }, claims: { tenant: undefined } });
    expect((await callHook(bearer(await viaJku(first)))).status).toBe(200);
    expect((await callHook(bearer(await viaJku(first)))).status).toBe(200);
    expect(jwks.hits() - before).toBe(1);

    jwks.publish([second.publicJwk]);
    await sleep(JWKS_MIN_REFRESH_MS + 100);
    expect((await callHook(bearer(await viaJku(second)))).status).toBe(200);
    expect(jwks.hits() - before).toBe(2);
  });

  test('a stream of unknown kids cannot make the service hammer the key set URL', async () => {
    await sleep(JWKS_MIN_REFRESH_MS + 100);
    const before = jwks.hits();
    const strangers = await Promise.all(Array.from({ length: 20 }, () => signingKey('ES384')));
    const responses = await Promise.all(
      strangers.map(async (key) =>
        callHook(bearer(await token(key, { iss: ISSUER_B, header: { jku: jwks.url }, claims: { tenant: undefined } }))),
      ),
    );
    for (let i = 0; i < 10; i++) {
      const key = await signingKey('ES384');
      responses.push(
        await callHook(
          bearer(await token(key, { iss: ISSUER_B, header: { jku: jwks.url }, claims: { tenant: undefined } })),
        ),
      );
    }
    expect(responses.every((response) => response.status === 401)).toBe(true);
    expect(jwks.hits() - before).toBe(1);
  });

  wallClockTest('a key set URL that does not answer in time gives a 401 within the timeout', async () => {
    const key = await signingKey('ES384');
    const started = Date.now();
    const response = await callHook(
      bearer(await token(key, { iss: ISSUER_SLOW, header: { jku: slowJwks.url }, claims: { tenant: undefined } })),
    );
    expect(response.status).toBe(401);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(lastRejection().reason).toMatch(/key set unavailable/);
  });
});

describe('outbound FHIR calls', () => {
  test("the authenticated issuer's FHIR server is read when prefetch is absent", async () => {
    const response = await callHook(
      bearer(await token(es)),
      patientView({ prefetch: undefined, fhirServer: fhir.baseUrl }),
    );
    expect(response.status).toBe(200);
    expect(fhir.requests.length).toBeGreaterThan(0);
  });

  const fhirPort = () => new URL(fhir.baseUrl).port;
  const forbidden: Array<[string, () => string]> = [
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['another loopback port', () => `${trap.origin}/fhir/R4`],
    ['the allowed server under another path', () => `http://127.0.0.1:${fhirPort()}/admin`],
    ['the allowed server with a path that merely starts alike', () => `${fhir.baseUrl}-evil`],
    ['the allowed server spelt as localhost', () => `http://localhost:${fhirPort()}/fhir/R4`],
    ['IPv6 loopback', () => `http://[::1]:${fhirPort()}/fhir/R4`],
    ['credentials in the URL', () => `http://user:secret@127.0.0.1:${fhirPort()}/fhir/R4`],
    ['another host', () => 'https://ehr-b.example/fhir'],
  ];

  test.each(forbidden)('%s is never contacted and the 412 names the reason', async (_name, server) => {
    const before = fetches.urls.length;
    const response = await callHook(
      bearer(await token(es)),
      patientView({ prefetch: undefined, fhirServer: server() }),
    );
    expect(response.status).toBe(412);
    expect(response.body.issue[0].diagnostics).toMatch(
      /fhirServer (is not allowed for issuer "https:\/\/ehr-a\.example"|must not contain credentials)/,
    );
    expect(outboundSince(before)).toEqual([]);
    expect(trap.connections()).toBe(0);
    expect(fhir.requests).toEqual([]);
  });

  test(`an issuer's own fhirServers replace \
SPINE_CDS_FHIR_SERVERS, which applies to issuers without a list`, async () => {
    const refusedForA = await callHook(
      bearer(await token(es)),
      patientView({ prefetch: undefined, fhirServer: `${trap.origin}/fhir` }),
    );
    expect(refusedForA.status).toBe(412);
    expect(trap.connections()).toBe(0);

    const key = await signingKey('ES384', 'b-fallback');
    jwks.publish([key.publicJwk]);
    await sleep(JWKS_MIN_REFRESH_MS + 100);
    const viaB = () => token(key, { iss: ISSUER_B, header: { jku: jwks.url }, claims: { tenant: undefined } });
    const refusedForB = await callHook(
      bearer(await viaB()),
      patientView({ prefetch: undefined, fhirServer: fhir.baseUrl }),
    );
    expect(refusedForB.status).toBe(412);
    expect(refusedForB.body.issue[0].diagnostics).toMatch(
      /not allowed for issuer "https:\/\/ehr-b\.example" \(it lists no fhirServers/,
    );
    expect(fhir.requests).toEqual([]);
    // The service-wide list does apply to B: the trap is contacted (and hangs up), which shows as a failed read.
    const allowedForB = await callHook(
      bearer(await viaB()),
      patientView({ prefetch: undefined, fhirServer: `${trap.origin}/fhir` }),
    );
    expect(allowedForB.status).toBe(412);
    expect(allowedForB.body.issue[0].diagnostics).toMatch(/could not connect|connection failed/);
    expect(trap.connections()).toBeGreaterThan(0);
  });

  test('a forbidden fhirServer does not matter when the prefetch is complete', async () => {
    const response = await callHook(
      bearer(await token(es)),
      patientView({ fhirServer: 'http://169.254.169.254/fhir' }),
    );
    expect(response.status).toBe(200);
  });
});

describe('a misbehaving FHIR server', () => {
  wallClockTest(
    'slower than the deadline: many concurrent calls all end at the deadline, and the service keeps answering',
    async () => {
      fhir.setFault({ kind: 'slow', delayMs: 5000 }, { match: /Condition/ });
      const started = Date.now();
      const calls = await Promise.all(
        Array.from({ length: 20 }, async () =>
          callHook(
            bearer(await token(es)),
            patientView({ prefetch: { patient: fullPrefetch(typicalPatient()).patient }, fhirServer: fhir.baseUrl }),
          ),
        ),
      );
      const health = await fetch(`${service.baseUrl}/healthz`);
      expect(health.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      for (const call of calls) {
        expect(call.status).toBe(412);
        expect(call.body.issue[0].diagnostics).toMatch(/no answer before the deadline/);
      }
    },
  );

  test('slower than the deadline for optional data: cards still come, saying what could not be checked', async () => {
    fhir.setFault({ kind: 'slow', delayMs: 5000 }, { match: /Observation/ });
    const { patient, conditions, procedures, medications } = fullPrefetch(typicalPatient());
    const response = await callHook(
      bearer(await token(es)),
      patientView({ prefetch: { patient, conditions, procedures, medications }, fhirServer: fhir.baseUrl }),
    );
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toMatch(
      /observations not available: fhirServer no answer before the deadline/,
    );
  });

  test('a redirect to a loopback address is not followed', async () => {
    fhir.setFault({ kind: 'redirect', location: `${trap.origin}/fhir/R4/Condition` }, { match: /Condition/ });
    const before = trap.connections();
    const response = await callHook(
      bearer(await token(es)),
      patientView({ prefetch: { patient: fullPrefetch(typicalPatient()).patient }, fhirServer: fhir.baseUrl }),
    );
    expect(response.status).toBe(412);
    expect(response.body.issue[0].diagnostics).toMatch(/redirect/);
    expect(trap.connections()).toBe(before);
  });
});

describe('CORS with an origin list', () => {
  test.each(['/cds-services', HOOK, FEEDBACK])('preflight on %s is answered without a token', async (endpoint) => {
    const preflight = (origin: string) =>
      fetch(service.baseUrl + endpoint, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toMatch(/Origin/);
  });

  test('a 401 carries the CORS headers, so the browser client can see it', async () => {
    const response = await callHook({ origin: ALLOWED_ORIGIN });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });
});

describe('security headers', () => {
  test.each([
    ['a hook answer', async () => callHook(bearer(await token(es))).then((r) => r.headers)],
    ['a 401', async () => callHook({}).then((r) => r.headers)],
    ['a 404', async () => fetch(`${service.baseUrl}/nowhere`).then((r) => r.headers)],
    ['healthz', async () => fetch(`${service.baseUrl}/healthz`).then((r) => r.headers)],
  ])('%s carries them, with HSTS since the public URL is https', async (_name, headersOf) => {
    const headers = await headersOf();
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('content-security-policy')).toBe(JSON_CONTENT_SECURITY_POLICY);
    expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  test('no HSTS when the public URL is plain http', async () => {
    const plain = await startService();
    try {
      const response = await fetch(`${plain.baseUrl}/healthz`);
      expect(response.headers.get('strict-transport-security')).toBeNull();
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await plain.close();
    }
  });
});

describe('rate limiting', () => {
  test(`per issuer when authenticated: 429 with Retry-After and an \
OperationOutcome; other issuers and health checks unaffected`, async () => {
    const limited = await startService({
      SPINE_CDS_TRUST_FILE: trustFile,
      SPINE_CDS_PUBLIC_BASE_URL: PUBLIC_BASE,
      SPINE_CDS_RATE_LIMIT_PER_SECOND: '1',
      SPINE_CDS_RATE_LIMIT_BURST: '3',
      // All calls come from 127.0.0.1: the per-IP limit must not be what stops them here.
      SPINE_CDS_IP_RATE_LIMIT_PER_SECOND: '1000',
    });
    try {
      const discover = async (key: SigningKey, options: Partial<TokenOptions> = {}) =>
        fetch(`${limited.baseUrl}/cds-services`, {
          headers: bearer(await token(key, { aud: `${PUBLIC_BASE}/cds-services`, ...options })),
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await discover(es)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const throttled = await discover(rs);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const outcome = (await throttled.json()) as { resourceType: string; issue: Array<{ code: string }> };
      expect(outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });

      const otherKey = await signingKey('ES384', 'other-issuer');
      jwks.publish([otherKey.publicJwk]);
      expect(
        (await discover(otherKey, { iss: ISSUER_B, header: { jku: jwks.url }, claims: { tenant: undefined } })).status,
      ).toBe(200);
      expect((await fetch(`${limited.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  /** A service that checks tokens and allows 2 calls at once per IP address, then 1 a second. */
  const limitedByAddress = (env: Record<string, string> = {}) =>
    startService({
      SPINE_CDS_TRUST_FILE: trustFile,
      SPINE_CDS_PUBLIC_BASE_URL: PUBLIC_BASE,
      SPINE_CDS_IP_RATE_LIMIT_PER_SECOND: '1',
      SPINE_CDS_IP_RATE_LIMIT_BURST: '2',
      ...env,
    });
  const forged = async () => bearer(await token(await signingKey('ES384', es.kid)));
  const rejections = (running: RunningService) => running.logs.filter((line) => line.event === 'auth-rejected').length;

  test(`per IP address before authentication: tokens claiming \
a trusted issuer cannot buy unlimited signature checks`, async () => {
    const limited = await limitedByAddress();
    try {
      const call = async (headers: Record<string, string>) =>
        (await postJson(limited.baseUrl + HOOK, patientView(), headers)).status;
      const spoofed = (address: string) => ({ 'x-forwarded-for': address });
      expect([await call(await forged()), await call({ ...(await forged()), ...spoofed('203.0.113.1') })]).toEqual([
        401, 401,
      ]);
      expect(rejections(limited)).toBe(2);
      // Throttled before the token is looked at: no signature check, no auth log line; a good token waits too.
      const throttled = await postJson(limited.baseUrl + HOOK, patientView(), await forged());
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('1');
      expect(throttled.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
      expect(await call(bearer(await token(es)))).toBe(429);
      // Without SPINE_CDS_TRUST_PROXY, X-Forwarded-For is not believed, so a new one does not buy a new bucket.
      expect(await call({ ...(await forged()), ...spoofed('203.0.113.2') })).toBe(429);
      expect(rejections(limited)).toBe(2);
      expect(limited.logs.filter((line) => line.event === 'trust-proxy-unset')).toEqual([
        expect.objectContaining({ level: 40, ip: '127.0.0.1' }),
      ]);
      // Health checks are not limited.
      expect((await fetch(`${limited.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  test(`behind a trusted proxy (SPINE_CDS_TRUST_PROXY), the limit \
applies to the client address it forwards; IPv6 clients by their /64`, async () => {
    const limited = await limitedByAddress({ SPINE_CDS_TRUST_PROXY: 'loopback' });
    try {
      const from = async (address: string) =>
        (await postJson(limited.baseUrl + HOOK, patientView(), { ...(await forged()), 'x-forwarded-for': address }))
          .status;
      // A client-supplied X-Forwarded-For entry left of the one the proxy appends is not believed.
      expect([await from('203.0.113.1'), await from('198.51.100.66, 203.0.113.1'), await from('203.0.113.1')]).toEqual([
        401, 401, 429,
      ]);
      expect(await from('203.0.113.2')).toBe(401);
      expect([await from('2001:db8:1:2::1'), await from('2001:DB8:1:2:ffff::9')]).toEqual([401, 401]);
      expect(await from('2001:db8:1:2:0:0:0:7')).toBe(429);
      expect(await from('2001:db8:1:3::1')).toBe(401);
      expect(limited.logs.filter((line) => line.event === 'trust-proxy-unset')).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  test('per IP address when authentication is disabled', async () => {
    const limited = await startService({ SPINE_CDS_RATE_LIMIT_PER_SECOND: '1', SPINE_CDS_RATE_LIMIT_BURST: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${limited.baseUrl}/cds-services`)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('secure by default', () => {
  test('production with authentication explicitly disabled starts, with a loud warning', async () => {
    const open = await startService({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled' });
    try {
      expect(open.logs).toContainEqual(
        expect.objectContaining({
          event: 'auth-disabled',
          level: 40,
          msg: expect.stringMatching(/DISABLED IN PRODUCTION/),
        }),
      );
      expect((await fetch(`${open.baseUrl}/cds-services`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  test('the start-up log names the trusted issuers', () => {
    expect(service.logs).toContainEqual(
      expect.objectContaining({ event: 'auth-required', issuers: [ISSUER_A, ISSUER_B, ISSUER_SLOW, SANDBOX] }),
    );
  });
});

describe('development trust profile', () => {
  test(`the local development issuer is left out until \
mint-token has created its key, then its tokens are accepted`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-dev-profile-'));
    fs.cpSync(path.join(PROJECT_ROOT, 'deploy', 'trust'), path.join(root, 'deploy', 'trust'), { recursive: true });
    const env = { SPINE_CDS_TRUST_FILE: path.join(root, 'deploy', 'trust', 'trust.development.json') };

    const withoutKey = await startService(env);
    await withoutKey.close();
    expect(withoutKey.logs).toContainEqual(
      expect.objectContaining({ event: 'auth-issuer-skipped', iss: 'spine-cds-development' }),
    );

    const key = await ensureDevKeyPair(path.join(root, '.dev-keys'));
    expect(key.created).toBe(true);
    expect(fs.statSync(path.join(root, '.dev-keys', 'private-key.jwk.json')).mode & 0o077).toBe(0);
    expect((await ensureDevKeyPair(path.join(root, '.dev-keys'))).created).toBe(false);
    const withKey = await startService(env);
    try {
      const jwt = await mintDevToken(key, {
        audience: `http://localhost:8080${HOOK}`,
        lifetimeSeconds: 300,
        now: TEST_NOW,
      });
      expect((await postJson(withKey.baseUrl + HOOK, patientView(), bearer(jwt))).status).toBe(200);
      expect((await postJson(withKey.baseUrl + HOOK, patientView(), bearer(jwt))).status).toBe(401);
    } finally {
      await withKey.close();
    }
  });
});

describe('no leaks', () => {
  test('tokens, fhirAuthorization and patient data never reach the logs or error bodies', async () => {
    const fhirAuthorization = {
      access_token: FHIR_ACCESS_TOKEN,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'spine-cds',
    };
    const bodies: string[] = [];
    const record = async (response: Promise<{ status: number; body: unknown }>) =>
      bodies.push(JSON.stringify((await response).body ?? ''));
    await record(callHook(bearer(await token(es)), patientView({ fhirServer: fhir.baseUrl, fhirAuthorization })));
    await record(
      callHook(
        bearer(await token(es)),
        patientView({ prefetch: undefined, fhirServer: fhir.baseUrl, fhirAuthorization }),
      ),
    );
    await record(
      callHook(
        bearer(await token(es)),
        patientView({ prefetch: undefined, fhirServer: 'http://169.254.169.254/x', fhirAuthorization }),
      ),
    );
    await record(
      callHook(
        bearer(await token(es)),
        patientView({ hookInstance: 'nope', fhirServer: fhir.baseUrl, fhirAuthorization }),
      ),
    );
    await record(
      callHook(
        bearer(await token(es, { claims: { tenant: 'tenant-x' } })),
        patientView({ fhirServer: fhir.baseUrl, fhirAuthorization }),
      ),
    );
    fhir.setFault({ kind: 'status', status: 500 }, { match: /Condition/ });
    await record(
      callHook(
        bearer(await token(es)),
        patientView({ prefetch: undefined, fhirServer: fhir.baseUrl, fhirAuthorization }),
      ),
    );

    const secrets = [...issuedTokens, FHIR_ACCESS_TOKEN, PATIENT_ID, 'Sciatica', '1975-03-02'];
    const logs = service.rawLogs();
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      for (const body of bodies.slice(2)) expect(body).not.toContain(secret);
    }
  });
});
