import express from 'express';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { PROJECT_ROOT } from '../../src/project-root';
import { writeTrustFile } from '../support/jwt';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('the embedded defaults need no environment at all', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    mode: 'development',
    port: 8080,
    publicBaseUrl: 'http://localhost:8080',
    corsOrigins: ['*'],
    fhirServerAllowlist: [],
  });
  expect(config.rulesDir).toMatch(/rules$/);
});

test('every bad value is reported at once, naming the variable', () => {
  const problems = problemsOf({
    PORT: '99999',
    SPINE_CDS_MODE: 'staging',
    SPINE_CDS_FHIR_SERVERS: 'ftp://x,https://ok.example/fhir',
    LOG_LEVEL: 'loud',
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^PORT: expected a whole number from 0 to 65535/),
      expect.stringMatching(/^SPINE_CDS_MODE: expected one of development, production/),
      expect.stringMatching(/^SPINE_CDS_FHIR_SERVERS: "ftp:\/\/x" is not an absolute http\(s\) URL/),
      expect.stringMatching(/^LOG_LEVEL: expected one of/),
    ]),
  );
});

test('CORS origins must be origins, and "*" only in development', () => {
  expect(problemsOf({ SPINE_CDS_CORS_ORIGINS: 'https://sandbox.cds-hooks.org/' })).toEqual([
    expect.stringMatching(/SPINE_CDS_CORS_ORIGINS: "https:\/\/sandbox.cds-hooks.org\/" is not an origin/),
  ]);
  expect(
    loadConfig({ SPINE_CDS_CORS_ORIGINS: 'https://sandbox.cds-hooks.org, http://localhost:3000' }).corsOrigins,
  ).toEqual(['https://sandbox.cds-hooks.org', 'http://localhost:3000']);
  expect(problemsOf({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled', SPINE_CDS_CORS_ORIGINS: '*' })).toEqual(
    expect.arrayContaining([expect.stringMatching(/"\*" is only allowed in development mode/)]),
  );
});

describe('SPINE_CDS_TRUST_PROXY', () => {
  test('is off by default; takes a number of proxies or their addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SPINE_CDS_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ SPINE_CDS_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ SPINE_CDS_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(
      loadConfig({ SPINE_CDS_TRUST_PROXY: 'Loopback, 10.0.0.0/8, 192.0.2.7, 2001:db8::/32, uniquelocal' }).trustProxy,
    ).toEqual(['loopback', '10.0.0.0/8', '192.0.2.7', '2001:db8::/32', 'uniquelocal']);
  });

  test.each([
    ['true', /"true" would believe any client's X-Forwarded-For/],
    ['TRUE', /"true" would believe any client's X-Forwarded-For/],
    ['99', /expected false, a number of proxies from 0 to 16/],
    ['0.0.0.0/0', /"0\.0\.0\.0\/0" is not a proxy address; .*CIDR ranges \(not \/0\)/],
    ['::/0', /"::\/0" is not a proxy address/],
    ['10.0.0.0/33, proxy.internal', /"10\.0\.0\.0\/33", "proxy\.internal" are not a proxy address/],
    ['10.0.0.1/8/8', /"10\.0\.0\.1\/8\/8" is not a proxy address/],
    ['all', /"all" is not a proxy address/],
  ])('%s is refused at start-up with a message saying why', (value, message) => {
    expect(problemsOf({ SPINE_CDS_TRUST_PROXY: value })).toEqual([
      expect.stringMatching(new RegExp(`^SPINE_CDS_TRUST_PROXY: ${message.source}`)),
    ]);
  });

  test('every value it accepts is one Express accepts, and none trusts an arbitrary address', () => {
    for (const value of [
      'false',
      '1',
      '16',
      'loopback',
      'linklocal,uniquelocal',
      '10.0.0.0/8,192.0.2.7',
      '2001:db8::/32,::1',
      '::ffff:10.0.0.0/104',
    ]) {
      const app = express();
      app.set('trust proxy', loadConfig({ SPINE_CDS_TRUST_PROXY: value }).trustProxy);
      const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
      expect(trust('203.0.113.9', 0) && trust('203.0.113.9', 100)).toBe(false);
    }
  });
});

test('the per-IP limit before authentication defaults to the per-client limit and can be set on its own', () => {
  expect(loadConfig({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled' }).ipRateLimit).toEqual({
    perSecond: 100,
    burst: 200,
  });
  expect(loadConfig({}).ipRateLimit.perSecond).toBe(0);
  expect(loadConfig({ SPINE_CDS_RATE_LIMIT_PER_SECOND: '5', SPINE_CDS_RATE_LIMIT_BURST: '10' }).ipRateLimit).toEqual({
    perSecond: 5,
    burst: 10,
  });
  expect(
    loadConfig({
      SPINE_CDS_RATE_LIMIT_PER_SECOND: '5',
      SPINE_CDS_IP_RATE_LIMIT_PER_SECOND: '50',
      SPINE_CDS_IP_RATE_LIMIT_BURST: '80',
    }),
  ).toMatchObject({
    rateLimit: { perSecond: 5, burst: 200 },
    ipRateLimit: { perSecond: 50, burst: 80 },
  });
  expect(problemsOf({ SPINE_CDS_IP_RATE_LIMIT_BURST: '0' })).toEqual([
    expect.stringMatching(/^SPINE_CDS_IP_RATE_LIMIT_BURST: expected a whole number from 1/),
  ]);
});

describe('PORT=0 (any free port)', () => {
  const trustFile = () =>
    writeTrustFile({ issuers: [{ iss: 'https://ehr.example', jwksUrl: 'https://ehr.example/jwks' }] });

  test(`with authentication required, needs \
SPINE_CDS_PUBLIC_BASE_URL: the default could never match a token aud`, () => {
    expect(problemsOf({ PORT: '0', SPINE_CDS_TRUST_FILE: trustFile() })).toEqual([
      expect.stringMatching(/^SPINE_CDS_PUBLIC_BASE_URL: must be set when PORT=0 and authentication is required/),
    ]);
    expect(problemsOf({ PORT: '0', SPINE_CDS_TRUST_FILE: trustFile(), SPINE_CDS_PUBLIC_BASE_URL: ' ' })).toHaveLength(
      1,
    );
    expect(
      loadConfig({
        PORT: '0',
        SPINE_CDS_TRUST_FILE: trustFile(),
        SPINE_CDS_PUBLIC_BASE_URL: 'https://cds.example.org/',
      }).publicBaseUrl,
    ).toBe('https://cds.example.org');
  });

  test('without authentication, starts as before (the public URL only decides HSTS)', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '0', SPINE_CDS_TRUST_FILE: trustFile(), SPINE_CDS_AUTH: 'disabled' }).port).toBe(0);
  });
});

test('production refuses plain-http SPINE_CDS_FHIR_SERVERS at start-up; development allows them', () => {
  const production = { SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled' };
  expect(
    problemsOf({ ...production, SPINE_CDS_FHIR_SERVERS: 'https://ehr.example/fhir, HTTP://ehr.example:8080/fhir' }),
  ).toEqual(['SPINE_CDS_FHIR_SERVERS: "HTTP://ehr.example:8080/fhir" must use https in production']);
  expect(loadConfig({ ...production, SPINE_CDS_FHIR_SERVERS: 'https://ehr.example/fhir' }).fhirServerAllowlist).toEqual(
    ['https://ehr.example/fhir'],
  );
  expect(loadConfig({ SPINE_CDS_FHIR_SERVERS: 'http://127.0.0.1:8081/fhir' }).fhirServerAllowlist).toEqual([
    'http://127.0.0.1:8081/fhir',
  ]);
});

test(`production with authentication refuses to start without \
SPINE_CDS_PUBLIC_BASE_URL (behind an ingress every aud would fail)`, () => {
  const trustFile = path.join(PROJECT_ROOT, 'deploy', 'kubernetes', 'trust.json');
  const production = { SPINE_CDS_MODE: 'production', SPINE_CDS_TRUST_FILE: trustFile };
  expect(problemsOf(production)).toEqual([
    expect.stringMatching(/^SPINE_CDS_PUBLIC_BASE_URL: must be set in production/),
  ]);
  expect(problemsOf({ ...production, SPINE_CDS_PUBLIC_BASE_URL: 'https://cds.example.org' })).toEqual([]);
  expect(problemsOf({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled' })).toEqual([]);
});

test('the ledger settings: database URL checked without echoing it, shared state follows the database', () => {
  expect(problemsOf({ SPINE_CDS_DATABASE_URL: 'mysql://user:hunter2@db/x' })).toEqual([
    'SPINE_CDS_DATABASE_URL: expected a postgres:// or postgresql:// connection URL',
  ]);
  expect(loadConfig({ SPINE_CDS_DATABASE_URL: 'postgres://db/spine' }).sharedState).toBe('postgres');
  expect(loadConfig({}).sharedState).toBe('process');
  expect(loadConfig({}).ledger).toMatchObject({ enabled: true, retentionDays: 365, storeComments: false });
  expect(problemsOf({ SPINE_CDS_SHARED_STATE: 'postgres' })).toEqual([
    'SPINE_CDS_SHARED_STATE: "postgres" needs SPINE_CDS_DATABASE_URL',
  ]);
  expect(problemsOf({ SPINE_CDS_LEDGER_PATIENT_KEY_SECRET: 'short' })).toEqual([
    'SPINE_CDS_LEDGER_PATIENT_KEY_SECRET: must be at least 32 characters (it keys an HMAC)',
  ]);
});
