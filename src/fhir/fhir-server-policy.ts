/**
 * Which FHIR servers the service may call. The fhirServer of a hook request is chosen by the caller, so
 * calling it unchecked would let anyone make this service fetch internal URLs (request forgery).
 */
export function refuseUnlistedServer(allowlist: string[], fhirServer: string, requireHttps: boolean): string | undefined {
  const target = parseUrl(fhirServer);
  if (!target) return 'fhirServer is not a valid URL';
  if (requireHttps && target.protocol !== 'https:') return 'fhirServer must use https';
  const allowed = allowlist.some((entry) => {
    const base = parseUrl(entry);
    return base !== undefined && base.origin === target.origin && withSlash(target.pathname).startsWith(withSlash(base.pathname));
  });
  return allowed ? undefined : "fhirServer is not on this service's list of allowed FHIR servers (SPINE_CDS_FHIR_SERVERS)";
}

const withSlash = (pathname: string): string => `${pathname.replace(/\/+$/, '')}/`;

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
