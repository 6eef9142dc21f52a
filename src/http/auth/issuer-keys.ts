import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { RemoteKeySet, type RemoteKeySetOptions } from './remote-key-set';
import type { TrustedIssuer } from './trust-file';

/** A token's key cannot be looked up; the message is the reason operators see. */
export class KeySourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeySourceError';
  }
}

/**
 * Where the key of an issuer's token comes from. Pinned keys win and are never fetched (a `jku` naming a URL
 * off the allowlist is still refused); otherwise the token's allowlisted `jku`, or else the issuer's `jwksUrl`.
 */
export class IssuerKeys {
  private readonly pinned = new Map<string, JWTVerifyGetKey>();
  /** By URL: only allowlisted URLs ever get an entry, so the map stays as small as the trust file. */
  private readonly remote = new Map<string, RemoteKeySet>();

  constructor(
    issuers: TrustedIssuer[],
    private readonly remoteOptions: RemoteKeySetOptions,
  ) {
    for (const issuer of issuers) {
      if (issuer.jwks) this.pinned.set(issuer.iss, createLocalJWKSet(issuer.jwks));
    }
  }

  for(issuer: TrustedIssuer, jku: unknown): JWTVerifyGetKey {
    const named = jku === undefined ? undefined : allowedJku(issuer, jku);
    const pinned = this.pinned.get(issuer.iss);
    if (pinned) return pinned;
    const url = named ?? issuer.jwksUrl;
    if (url === undefined)
      throw new KeySourceError('the token names no jku and the issuer has no pinned keys or jwksUrl');
    return this.remoteSet(url).getKey;
  }

  private remoteSet(url: string): RemoteKeySet {
    let set = this.remote.get(url);
    if (!set) {
      set = new RemoteKeySet(url, this.remoteOptions);
      this.remote.set(url, set);
    }
    return set;
  }
}

function allowedJku(issuer: TrustedIssuer, jku: unknown): string {
  let href: string | undefined;
  try {
    href = typeof jku === 'string' ? new URL(jku).href : undefined;
  } catch {
    href = undefined;
  }
  if (href !== undefined && (issuer.allowedJku.includes(href) || issuer.jwksUrl === href)) return href;
  throw new KeySourceError('jku is not on the allowlist of the issuer');
}
