/** FHIR base URLs a caller may name, and how a refusal names the list (the caller can act on it). */
export interface FhirServerAllowlist {
  servers: string[];
  /** e.g. `is not allowed for issuer "…"`; completes "fhirServer …". */
  notListed: string;
}

/**
 * Which FHIR servers the service may call. The fhirServer of a hook request is chosen by the caller, so
 * calling it unchecked would let anyone make this service fetch internal URLs (request forgery). A server
 * matches only an entry with the same origin (scheme, host, port) and a path under the entry's path, so a
 * loopback or link-local address (cloud metadata) is reachable only if an entry names it.
 */
export function refuseUnlistedServer(
  allowlist: FhirServerAllowlist,
  fhirServer: string,
  requireHttps: boolean,
): string | undefined {
  const target = parseUrl(fhirServer);
  if (!target) return 'fhirServer is not a valid URL';
  if (target.protocol !== 'https:' && (requireHttps || target.protocol !== 'http:'))
    return `fhirServer must use https${requireHttps ? '' : ' or http'}`;
  if (target.username || target.password)
    return 'fhirServer must not contain credentials; send them in fhirAuthorization';
  const allowed = allowlist.servers.some((entry) => {
    const base = parseUrl(entry);
    return base !== undefined && isUnder(target, base);
  });
  return allowed ? undefined : `fhirServer ${allowlist.notListed}`;
}

/** Same origin (scheme, host, port) and a path at or below the base's path, segment by segment. */
export function isUnder(target: URL, base: URL): boolean {
  return target.origin === base.origin && withSlash(target.pathname).startsWith(withSlash(base.pathname));
}

const withSlash = (pathname: string): string => `${pathname.replace(/\/+$/, '')}/`;

export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
