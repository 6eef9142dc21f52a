import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { IssuerKeys, KeySourceError } from './issuer-keys';
import type { RemoteKeySetOptions } from './remote-key-set';
import { ReplayCache } from './replay-cache';
import type { TrustedIssuer } from './trust-file';

/** The caller a verified token speaks for. */
export interface AuthenticatedClient {
  issuer: TrustedIssuer;
  tenant?: string;
  jti: string;
}

/** Why a token was refused: for the operator's log only; the client gets a bare 401. */
export class AuthFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AuthFailure';
  }
}

/** Where token ids are remembered: this process (ReplayCache) or a store shared by every instance. */
export interface ReplayGuard {
  remember(
    id: string,
    expiresAtMs: number,
    nowMs: number,
  ): 'replayed' | 'full' | undefined | Promise<'replayed' | 'full' | undefined>;
}

export interface TokenVerifierOptions {
  issuers: TrustedIssuer[];
  clockSkewSeconds: number;
  /** Oldest accepted token (now − iat); also bounds how long a jti is remembered. */
  maxTokenAgeSeconds: number;
  replayCacheSize: number;
  /** A shared replay store; by default the token ids are remembered in this process. */
  replay?: ReplayGuard;
  remoteKeys: RemoteKeySetOptions;
  now: () => Date;
}

/**
 * Verifies a CDS Hooks client JWT: `typ` JWT when present, issuer on the allowlist, algorithm allowed for it, key
 * pinned or from an allowlisted URL, signature, `aud` equal to the endpoint's public URL, `exp`/`nbf`/`iat` with the
 * clock skew, tenant allowed, and `jti` not seen before. Unknown claims are ignored.
 */
export class TokenVerifier {
  private readonly issuers: Map<string, TrustedIssuer>;
  private readonly keys: IssuerKeys;
  private readonly replay: ReplayGuard;

  constructor(private readonly options: TokenVerifierOptions) {
    this.issuers = new Map(options.issuers.map((issuer) => [issuer.iss, issuer]));
    this.keys = new IssuerKeys(options.issuers, options.remoteKeys);
    this.replay = options.replay ?? new ReplayCache(options.replayCacheSize);
  }

  /** The issuers a token may name, for the log line of a refusal. */
  trustedIssuers(): string[] {
    return [...this.issuers.keys()];
  }

  async verify(token: string, audience: string): Promise<AuthenticatedClient> {
    const { header, claims } = decode(token);
    checkType(header.typ);
    const issuer = typeof claims.iss === 'string' ? this.issuers.get(claims.iss) : undefined;
    if (!issuer) throw new AuthFailure('issuer is not trusted');
    if (typeof header.alg !== 'string' || !issuer.algorithms.includes(header.alg)) {
      throw new AuthFailure(
        `algorithm ${JSON.stringify(String(header.alg).slice(0, 20))} is not allowed for the issuer`,
      );
    }
    const now = this.options.now();
    const payload = await this.verifySignatureAndClaims(token, issuer, header.jku, audience, now);

    const tenant = payload.tenant;
    if (tenant !== undefined && typeof tenant !== 'string') throw new AuthFailure('tenant claim is not a string');
    if (issuer.tenants && (tenant === undefined || !issuer.tenants.includes(tenant)))
      throw new AuthFailure('tenant is not allowed for the issuer');
    if (typeof payload.jti !== 'string' || payload.jti === '')
      throw new AuthFailure('jti claim is not a non-empty string');
    await this.rememberTokenId(issuer, payload as JWTPayload & { jti: string; exp: number; iat: number }, now);
    return { issuer, jti: payload.jti, ...(tenant !== undefined ? { tenant } : {}) };
  }

  private async verifySignatureAndClaims(
    token: string,
    issuer: TrustedIssuer,
    jku: unknown,
    audience: string,
    now: Date,
  ): Promise<JWTPayload> {
    try {
      const getKey = this.keys.for(issuer, jku);
      const { payload } = await jwtVerify(token, getKey, {
        issuer: issuer.iss,
        audience,
        algorithms: issuer.algorithms,
        clockTolerance: this.options.clockSkewSeconds,
        maxTokenAge: this.options.maxTokenAgeSeconds,
        currentDate: now,
        requiredClaims: ['exp', 'jti'],
      });
      return payload;
    } catch (error) {
      if (error instanceof KeySourceError) throw new AuthFailure(error.message);
      // The fallback is for the type of `error`: jose rejects only with Errors.
      // Stryker disable next-line StringLiteral: unreachable
      throw new AuthFailure(error instanceof Error ? error.message : 'verification failed');
    }
  }

  /** After the signature check, so a forged token cannot burn a legitimate client's jti. */
  private async rememberTokenId(
    issuer: TrustedIssuer,
    payload: { jti: string; exp: number; iat: number },
    now: Date,
  ): Promise<void> {
    const acceptedUntil =
      Math.min(payload.exp, payload.iat + this.options.maxTokenAgeSeconds) + this.options.clockSkewSeconds;
    const refusal = await this.replay.remember(
      JSON.stringify([issuer.iss, payload.jti]),
      acceptedUntil * 1000,
      now.getTime(),
    );
    if (refusal === 'replayed') throw new AuthFailure('jti was already used');
    if (refusal === 'full') throw new AuthFailure('replay cache is full of unexpired token ids');
  }
}

/**
 * CDS Hooks client tokens are plain JWTs. Another type (`at+jwt`, `dpop+jwt`, a logout token…) is a token
 * minted for something else, replayed here. RFC 7515 compares `typ` case-insensitively and lets the
 * `application/` prefix be left out, so `JWT`, `jwt` and `application/jwt` are the same type.
 */
function checkType(typ: unknown): void {
  if (typ === undefined) return;
  const type = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (type !== 'jwt') throw new AuthFailure(`token type (typ) ${JSON.stringify(String(typ).slice(0, 40))} is not JWT`);
}

function decode(token: string) {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    throw new AuthFailure('malformed token');
  }
}

/** The token's self-declared identity, unverified and shortened, for the log line of a refusal. */
export function unverifiedIdentity(token: string): Record<string, string> {
  const identity: Record<string, string> = {};
  try {
    const { header, claims } = decode(token);
    for (const [name, value] of Object.entries({
      iss: claims.iss,
      aud: Array.isArray(claims.aud) ? claims.aud.join(' ') : claims.aud,
      kid: header.kid,
      tenant: claims.tenant,
      jti: claims.jti,
    })) {
      if (typeof value === 'string') identity[name] = value.slice(0, 200);
    }
  } catch {
    // a malformed token has no identity to log
  }
  return identity;
}
