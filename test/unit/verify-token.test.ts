import {
  AuthFailure,
  TokenVerifier,
  unverifiedIdentity,
  type TokenVerifierOptions,
} from '../../src/http/auth/verify-token';
import type { TrustedIssuer } from '../../src/http/auth/trust-file';
import { sign, signingKey, type SigningKey } from '../support/jwt';

/**
 * Token verification with real keys and the real replay cache, at chosen clock times: which tokens are refused and
 * why, how long a token id is remembered, and what a full replay cache does.
 */

const AUD = 'https://cds.example.org/cds-services/spine-patient-view';
const ISS = 'https://ehr.example.org';
const OTHER_ISS = 'https://other-ehr.example.org';
const T0 = new Date('2026-11-21T12:00:00Z');
const SKEW = 30;
const MAX_AGE = 600;
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let key: SigningKey;
let otherKey: SigningKey;
beforeAll(async () => {
  [key, otherKey] = await Promise.all([signingKey('ES384'), signingKey('ES384')]);
});

function issuer(iss: string, signer: SigningKey, extra: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return { iss, jwks: { keys: [signer.publicJwk] }, allowedJku: [], algorithms: ['ES384'], ...extra };
}

/** A verifier whose clock the test sets. */
function verifier(options: Partial<TokenVerifierOptions> & { issuers?: TrustedIssuer[] } = {}) {
  let now = T0;
  const tokens = new TokenVerifier({
    issuers: [issuer(ISS, key), issuer(OTHER_ISS, otherKey)],
    clockSkewSeconds: SKEW,
    maxTokenAgeSeconds: MAX_AGE,
    replayCacheSize: 100,
    remoteKeys: { timeoutMs: 1000, minRefreshIntervalMs: 1000, maxAgeMs: 60_000 },
    now: () => now,
    ...options,
  });
  return {
    tokens,
    verifyAt: (seconds: number, token: string) => {
      now = at(seconds);
      return tokens.verify(token, AUD);
    },
  };
}

const token = (claims: Record<string, unknown> = {}, signer = key, iss = ISS, header = {}) =>
  sign(signer, { iss, aud: AUD, now: T0, claims, header });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof AuthFailure ? error.reason : `not an AuthFailure: ${String(error)}`),
  );

describe('replay', () => {
  test('a token id is refused again until the token can no longer be accepted (exp plus the clock skew)', async () => {
    const { verifyAt } = verifier();
    const jwt = await token({ exp: at(300).getTime() / 1000 });
    await expect(verifyAt(0, jwt)).resolves.toMatchObject({ jti: expect.any(String) });
    expect(await refusal(verifyAt(300 + SKEW - 1, jwt))).toBe('jti was already used');
  });

  test('the same jti from two issuers is two different tokens', async () => {
    const { verifyAt } = verifier();
    const jti = 'shared-id';
    await verifyAt(0, await token({ jti }));
    expect(await refusal(verifyAt(1, await token({ jti }, otherKey, OTHER_ISS)))).toBe('accepted');
  });

  test('a full cache refuses new tokens without remembering them, makes room once old ones expire', async () => {
    const { verifyAt } = verifier({ replayCacheSize: 1 });
    const first = await token({ exp: at(300).getTime() / 1000 });
    await verifyAt(0, first);
    const second = await token({ exp: at(900).getTime() / 1000, iat: at(300).getTime() / 1000 });
    expect(await refusal(verifyAt(300 + SKEW - 1, second))).toBe('replay cache is full of unexpired token ids');
    // The first token id is forgotten exactly when the token can no longer be accepted.
    expect(await refusal(verifyAt(300 + SKEW, second))).toBe('accepted');
    expect(await refusal(verifyAt(300 + SKEW + 1, second))).toBe('jti was already used');
  });

  test('a token id is remembered only as long as the maximum token age allows, when that ends before exp', async () => {
    const { verifyAt } = verifier({ replayCacheSize: 1 });
    await verifyAt(0, await token({ exp: at(3600).getTime() / 1000 }));
    const later = await token({ exp: at(7200).getTime() / 1000, iat: at(MAX_AGE).getTime() / 1000 });
    expect(await refusal(verifyAt(MAX_AGE + SKEW - 1, later))).toBe('replay cache is full of unexpired token ids');
    expect(await refusal(verifyAt(MAX_AGE + SKEW, later))).toBe('accepted');
  });
});

describe('claims', () => {
  test('a token without exp is refused: its id could not be remembered until it expires', async () => {
    const { verifyAt } = verifier();
    expect(await refusal(verifyAt(0, await token({ exp: undefined })))).toBe('missing required "exp" claim');
    expect(await refusal(verifyAt(0, await token({ jti: undefined })))).toBe('missing required "jti" claim');
  });

  test('the jti must be a non-empty string', async () => {
    const { verifyAt } = verifier();
    expect(await refusal(verifyAt(0, await token({ jti: '' })))).toBe('jti claim is not a non-empty string');
    expect(await refusal(verifyAt(0, await token({ jti: 42 })))).toBe('jti claim is not a non-empty string');
  });

  test('a tenant must be a string, and one of the issuer’s tenants when it lists them', async () => {
    const { verifyAt } = verifier();
    expect(await refusal(verifyAt(0, await token({ tenant: 7 })))).toBe('tenant claim is not a string');
    const withTenants = verifier({ issuers: [issuer(ISS, key, { tenants: ['north'] })] });
    expect(await refusal(withTenants.verifyAt(0, await token({ tenant: 'south' })))).toBe(
      'tenant is not allowed for the issuer',
    );
    expect(await refusal(withTenants.verifyAt(0, await token()))).toBe('tenant is not allowed for the issuer');
    await expect(withTenants.verifyAt(0, await token({ tenant: 'north', jti: 'n1' }))).resolves.toEqual({
      issuer: expect.objectContaining({ iss: ISS }),
      tenant: 'north',
      jti: 'n1',
    });
  });

  test('without a tenant claim the client has no tenant', async () => {
    const client = await verifier().verifyAt(0, await token({ jti: 'plain' }));
    expect(client).toEqual({ issuer: expect.objectContaining({ iss: ISS }), jti: 'plain' });
    expect('tenant' in client).toBe(false);
  });

  test('issuer, algorithm, type and signature', async () => {
    const { verifyAt } = verifier();
    expect(await refusal(verifyAt(0, await token({}, key, 'https://unknown.example.org')))).toBe(
      'issuer is not trusted',
    );
    expect(await refusal(verifyAt(0, await token({ iss: 5 })))).toBe('issuer is not trusted');
    const es256 = await signingKey('ES256');
    expect(await refusal(verifyAt(0, await token({}, es256)))).toBe('algorithm "ES256" is not allowed for the issuer');
    expect(await refusal(verifyAt(0, await token({}, { ...otherKey, kid: key.kid })))).toBe(
      'signature verification failed',
    );
    expect(await refusal(verifyAt(0, await token({}, key, ISS, { typ: 'at+jwt' })))).toBe(
      'token type (typ) "at+jwt" is not JWT',
    );
    expect(await refusal(verifyAt(0, await token({}, key, ISS, { typ: 'jwtapplication/' })))).toBe(
      'token type (typ) "jwtapplication/" is not JWT',
    );
    for (const typ of ['jwt', 'JWT', 'application/jwt', 'Application/JWT', undefined]) {
      expect(await refusal(verifyAt(0, await token({}, key, ISS, { typ })))).toBe('accepted');
    }
    expect(await refusal(verifyAt(0, 'not.a.token'))).toBe('malformed token');
  });

  test('the algorithm or type a refusal quotes is shortened; a non-string algorithm is refused', async () => {
    const unsigned = (header: Record<string, unknown>) =>
      [header, { iss: ISS, aud: AUD, jti: 'x' }]
        .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
        .concat('c2ln')
        .join('.');
    const { verifyAt } = verifier();
    expect(await refusal(verifyAt(0, unsigned({ alg: 'A'.repeat(30) })))).toBe(
      `algorithm "${'A'.repeat(20)}" is not allowed for the issuer`,
    );
    expect(await refusal(verifyAt(0, unsigned({ alg: 5 })))).toBe('algorithm "5" is not allowed for the issuer');
    expect(await refusal(verifyAt(0, unsigned({ alg: 'ES384', typ: 'T'.repeat(50) })))).toBe(
      `token type (typ) "${'T'.repeat(40)}" is not JWT`,
    );
    expect(await refusal(verifyAt(0, unsigned({ alg: 'ES384', typ: 7 })))).toBe('token type (typ) "7" is not JWT');
  });

  test('a jku off the allowlist is refused with the key source’s reason', async () => {
    const { verifyAt } = verifier();
    expect(await refusal(verifyAt(0, await token({}, key, ISS, { jku: 'https://evil.example.org/jwks' })))).toBe(
      'jku is not on the allowlist of the issuer',
    );
  });

  test('a refusal is an AuthFailure, named so where it is logged', async () => {
    const error = await verifier()
      .verifyAt(0, 'not.a.token')
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'AuthFailure', message: 'malformed token', reason: 'malformed token' });
  });

  test('the trusted issuers, for the log line of a refusal', () => {
    expect(verifier().tokens.trustedIssuers()).toEqual([ISS, OTHER_ISS]);
  });
});

describe('unverified identity for the log', () => {
  test('string claims and header members, shortened; audience list joined; nothing for a malformed token', async () => {
    const jwt = await token({ aud: [AUD, 'b'], tenant: 't'.repeat(300), jti: 'j' });
    expect(unverifiedIdentity(jwt)).toEqual({
      iss: ISS,
      aud: `${AUD} b`,
      kid: key.kid,
      tenant: 't'.repeat(200),
      jti: 'j',
    });
    expect(unverifiedIdentity(await token({ jti: 5 }))).not.toHaveProperty('jti');
    expect(unverifiedIdentity('garbage')).toEqual({});
  });
});
