import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEV_ISSUER, DEV_KEYS_DIR, PUBLIC_JWKS_FILE } from '../../src/cli/dev-keys';
import { ConfigError, loadConfig } from '../../src/config';
import type { FileProblemCode } from '../../src/file-problem-codes';
import { DEFAULT_ALGORITHMS, readTrustFile } from '../../src/http/auth/trust-file';
import type { TrustProblem } from '../../src/http/auth/trust-problem';
import { writeTrustFile } from '../support/jwt';
import { PROJECT_ROOT } from '../support/spine-service';

/** Generated synchronously: the test tables below are built before any hook runs. */
const publicJwk = {
  ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }),
  kid: 'k1',
};

const issuer = (extra: Record<string, unknown> = {}) => ({
  iss: 'https://ehr.example',
  jwks: { keys: [publicJwk] },
  ...extra,
});

function problemsOf(trust: unknown, mode: 'development' | 'production' = 'development'): TrustProblem[] {
  return readTrustFile(writeTrustFile(trust), mode).problems;
}

describe('trust file', () => {
  test('a minimal issuer gets the recommended algorithms and no jku', () => {
    const { trust, problems } = readTrustFile(writeTrustFile({ issuers: [issuer()] }), 'production');
    expect(problems).toEqual([]);
    expect(trust.issuers).toEqual([
      { iss: 'https://ehr.example', jwks: { keys: [publicJwk] }, allowedJku: [], algorithms: DEFAULT_ALGORITHMS },
    ]);
  });

  test('an issuer may pin the FHIR version of its data', () => {
    const { trust, problems } = readTrustFile(
      writeTrustFile({ issuers: [issuer({ fhirVersion: 'STU3' })] }),
      'production',
    );
    expect(problems).toEqual([]);
    expect(trust.issuers[0].fhirVersion).toBe('STU3');
  });

  test('URLs: key set URLs are normalised, FHIR base URLs lose their trailing slash', () => {
    const { trust, problems } = readTrustFile(
      writeTrustFile({
        issuers: [
          {
            iss: 'x',
            jwksUrl: 'https://EHR.example:443/jwks',
            allowedJku: ['https://ehr.example/a'],
            fhirServers: ['https://ehr.example/fhir/'],
          },
        ],
      }),
      'production',
    );
    expect(problems).toEqual([]);
    expect(trust.issuers[0]).toMatchObject({
      jwksUrl: 'https://ehr.example/jwks',
      fhirServers: ['https://ehr.example/fhir'],
    });
  });

  test.each<[string, unknown, FileProblemCode, string]>([
    ['no issuers', { issuers: [] }, 'invalid-value', 'issuers'],
    ['a misspelt field', { issuers: [issuer({ tenant: ['a'] })] }, 'unknown-field', 'issuers[0].tenant'],
    ['an unknown top-level field', { issuers: [issuer()], issuer: [] }, 'unknown-field', 'issuer'],
    ['no iss', { issuers: [{ jwks: { keys: [] } }] }, 'invalid-value', 'issuers[0].iss'],
    ['HMAC', { issuers: [issuer({ algorithms: ['HS256'] })] }, 'disallowed-algorithm', 'issuers[0].algorithms'],
    ['alg none', { issuers: [issuer({ algorithms: ['none'] })] }, 'disallowed-algorithm', 'issuers[0].algorithms'],
    [
      'a private key',
      { issuers: [issuer({ jwks: { keys: [{ ...publicJwk, d: 'secret' }] } })] },
      'private-key',
      'issuers[0].jwks.keys[0]',
    ],
    [
      'a symmetric key',
      { issuers: [issuer({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })] },
      'invalid-key',
      'issuers[0].jwks.keys[0].kty',
    ],
    [
      'a key that is not a valid point',
      { issuers: [issuer({ jwks: { keys: [{ ...publicJwk, x: 'AAAA' }] } })] },
      'invalid-key',
      'issuers[0].jwks.keys[0]',
    ],
    ['an empty key set', { issuers: [issuer({ jwks: { keys: [] } })] }, 'invalid-key', 'issuers[0].jwks'],
    [
      'two key sources',
      { issuers: [issuer({ jwksUrl: 'https://ehr.example/jwks' })] },
      'several-key-sources',
      'issuers[0]',
    ],
    ['no key source', { issuers: [{ iss: 'x' }] }, 'no-keys', 'issuers[0]'],
    ['a relative jku', { issuers: [issuer({ allowedJku: ['/jwks'] })] }, 'invalid-url', 'issuers[0].allowedJku[0]'],
    [
      'a FHIR server with a query',
      { issuers: [issuer({ fhirServers: ['https://ehr.example/fhir?x=1'] })] },
      'invalid-url',
      'issuers[0].fhirServers[0]',
    ],
    [
      'credentials in a FHIR server',
      { issuers: [issuer({ fhirServers: ['https://u:p@ehr.example/fhir'] })] },
      'invalid-url',
      'issuers[0].fhirServers[0]',
    ],
    [
      'a FHIR version that is not one of R4, STU3, DSTU2',
      { issuers: [issuer({ fhirVersion: '3.0.2' })] },
      'invalid-value',
      'issuers[0].fhirVersion',
    ],
    ['an empty tenant list', { issuers: [issuer({ tenants: [] })] }, 'invalid-value', 'issuers[0].tenants'],
    ['the same issuer twice', { issuers: [issuer(), issuer()] }, 'duplicate-name', 'issuers[1].iss'],
    [
      'a missing jwksFile',
      { issuers: [{ iss: 'x', jwksFile: 'nope.json' }] },
      'unreadable-file',
      'issuers[0].jwksFile',
    ],
    [
      'skipWhenJwksFileMissing without jwksFile',
      { issuers: [issuer({ skipWhenJwksFileMissing: true })] },
      'inapplicable-field',
      'issuers[0].skipWhenJwksFileMissing',
    ],
  ])('%s is refused, with its code and the field', (_name, trust, code, at) => {
    expect(problemsOf(trust)).toContainEqual({ code, path: at, message: expect.any(String) });
  });

  test('production refuses plain http key URLs and FHIR servers, development files and optional key files', () => {
    const problems = problemsOf(
      {
        developmentOnly: true,
        issuers: [
          { iss: 'a', jwksUrl: 'http://ehr.example/jwks', fhirServers: ['http://ehr.example/fhir'] },
          { iss: 'b', jwksFile: 'keys.json', skipWhenJwksFileMissing: true },
        ],
      },
      'production',
    );
    expect(problems.map(({ code, path: at }) => ({ code, path: at }))).toEqual(
      expect.arrayContaining([
        { code: 'development-only', path: 'developmentOnly' },
        { code: 'insecure-url', path: 'issuers[0].jwksUrl' },
        { code: 'insecure-url', path: 'issuers[0].fhirServers[0]' },
        { code: 'development-only', path: 'issuers[1].skipWhenJwksFileMissing' },
      ]),
    );
    expect(problemsOf({ issuers: [{ iss: 'a', jwksUrl: 'http://ehr.example/jwks' }] }, 'development')).toEqual([]);
  });

  test('not JSON: the problem names the file, and the line and column of the first error', () => {
    const file = writeTrustFile({});
    fs.writeFileSync(file, '{ "issuers": [');
    expect(readTrustFile(file, 'development').problems).toEqual([
      {
        code: 'json-syntax',
        path: '',
        message: `${file} is not valid JSON: Unexpected end of JSON input at line 1, column 15`,
      },
    ]);
    fs.writeFileSync(file, '{\n  "issuers": [\n    { "iss": "x", }\n  ]\n}');
    expect(readTrustFile(file, 'development').problems).toEqual([
      {
        code: 'json-syntax',
        path: '',
        message: expect.stringMatching(/trust\.json is not valid JSON: .* at line 3, column 19$/),
      },
    ]);
  });

  test('a jwksFile that is not JSON is reported under its field', () => {
    const file = writeTrustFile({ issuers: [{ iss: 'x', jwksFile: 'keys.json' }] });
    fs.writeFileSync(path.join(path.dirname(file), 'keys.json'), '{ "keys": [],\n}');
    expect(readTrustFile(file, 'development').problems).toEqual([
      {
        code: 'json-syntax',
        path: 'issuers[0].jwksFile',
        message: expect.stringMatching(/keys\.json is not valid JSON: .* at line 2, column 1$/),
      },
    ]);
  });

  test('jwksFile is relative to the trust file; a missing optional one leaves the issuer out', () => {
    const file = writeTrustFile({
      issuers: [
        { iss: 'here', jwksFile: 'keys.json' },
        { iss: 'later', jwksFile: 'later.json', skipWhenJwksFileMissing: true },
      ],
    });
    fs.writeFileSync(path.join(path.dirname(file), 'keys.json'), JSON.stringify({ keys: [publicJwk] }));
    const { trust, problems } = readTrustFile(file, 'development');
    expect(problems).toEqual([]);
    expect(trust.issuers.map((entry) => entry.iss)).toEqual(['here']);
    expect(trust.skipped).toEqual([{ iss: 'later', jwksFile: 'later.json' }]);
  });
});

describe('the development trust profile (deploy/trust/trust.development.json)', () => {
  const DEV_TRUST = path.join(PROJECT_ROOT, 'deploy', 'trust', 'trust.development.json');
  const profile = JSON.parse(fs.readFileSync(DEV_TRUST, 'utf8'));

  test('trusts the pinned CDS Hooks Sandbox key with its jku allowlisted, in development only', () => {
    const { trust, problems } = readTrustFile(DEV_TRUST, 'development');
    expect(problems).toEqual([]);
    const sandbox = trust.issuers.find((entry) => entry.iss === 'https://sandbox.cds-hooks.org');
    expect(sandbox?.jwks?.keys.map((jwk) => jwk.kid)).toEqual(['44823f3d-0b01-4a6c-a80e-b9d3e8a7226f']);
    expect(sandbox?.allowedJku).toEqual(['https://sandbox.cds-hooks.org/.well-known/jwks.json']);
    expect(readTrustFile(DEV_TRUST, 'production').problems).toContainEqual({
      code: 'development-only',
      path: 'developmentOnly',
      message: expect.any(String),
    });
  });

  test('the pinned Sandbox key set is the one in the shared data', () => {
    const shipped = JSON.parse(
      fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'trust', 'cds-hooks-sandbox-jwks.json'), 'utf8'),
    );
    expect(shipped.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-384', alg: 'ES384', kid: '44823f3d-0b01-4a6c-a80e-b9d3e8a7226f' }),
    ]);
  });

  test('its development issuer is the one mint-token signs as, with the key file mint-token writes', () => {
    const local = profile.issuers.find((entry: { iss: string }) => entry.iss === DEV_ISSUER);
    expect(path.resolve(path.dirname(DEV_TRUST), local.jwksFile)).toBe(path.join(DEV_KEYS_DIR, PUBLIC_JWKS_FILE));
    expect(local.skipWhenJwksFileMissing).toBe(true);
  });
});

describe('authentication settings', () => {
  const trustFile = () => writeTrustFile({ issuers: [issuer()] });

  test('production without a trust file does not start', () => {
    expect(() => loadConfig({ SPINE_CDS_MODE: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ SPINE_CDS_MODE: 'production' })).toThrow(
      /SPINE_CDS_TRUST_FILE: production requires authenticated callers/,
    );
  });

  test('production requires authentication by default, and may only be opened explicitly', () => {
    const publicUrl = { SPINE_CDS_PUBLIC_BASE_URL: 'https://cds.example.org' };
    expect(
      loadConfig({ SPINE_CDS_MODE: 'production', SPINE_CDS_TRUST_FILE: trustFile(), ...publicUrl }).auth.required,
    ).toBe(true);
    expect(loadConfig({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled' }).auth.required).toBe(false);
  });

  test('development is open without a trust file and closed with one', () => {
    expect(loadConfig({}).auth.required).toBe(false);
    expect(loadConfig({ SPINE_CDS_TRUST_FILE: trustFile() }).auth.required).toBe(true);
    expect(loadConfig({ SPINE_CDS_TRUST_FILE: trustFile(), SPINE_CDS_AUTH: 'disabled' }).auth.required).toBe(false);
    expect(() => loadConfig({ SPINE_CDS_AUTH: 'required' })).toThrow(
      /SPINE_CDS_TRUST_FILE: SPINE_CDS_AUTH=required needs a trust file/,
    );
  });

  test('trust file problems stop start-up, prefixed with the variable and the file, ending with their code', () => {
    const file = writeTrustFile({ issuers: [issuer({ algorithms: ['HS256'] })] });
    expect(() => loadConfig({ SPINE_CDS_TRUST_FILE: file })).toThrow(
      `SPINE_CDS_TRUST_FILE ${file}: issuers[0].algorithms: "HS256" is not allowed`,
    );
    expect(() => loadConfig({ SPINE_CDS_TRUST_FILE: file })).toThrow(
      new RegExp(
        String.raw`^- SPINE_CDS_TRUST_FILE .*: issuers\[0\]\.algorithms: "HS256" is not allowed; ` +
          String.raw`choose from .* \[disallowed-algorithm\]$`,
        'm',
      ),
    );
  });

  test('rate limiting is on in production and off in development unless set', () => {
    expect(loadConfig({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled' }).rateLimit).toEqual({
      perSecond: 100,
      burst: 200,
    });
    expect(loadConfig({}).rateLimit.perSecond).toBe(0);
    expect(loadConfig({ SPINE_CDS_RATE_LIMIT_PER_SECOND: '5', SPINE_CDS_RATE_LIMIT_BURST: '10' }).rateLimit).toEqual({
      perSecond: 5,
      burst: 10,
    });
  });
});
