import { refuseUnlistedServer, type FhirServerAllowlist } from '../../fhir/fhir-server-policy';
import type { AuthenticatedClient } from './verify-token';

export interface FhirServerAccessConfig {
  mode: 'development' | 'production';
  /** SPINE_CDS_FHIR_SERVERS: for unauthenticated calls, and for issuers whose trust entry lists no fhirServers. */
  fhirServerAllowlist: string[];
}

/**
 * The FHIR servers a call may make the service read: those of its authenticated issuer, else the
 * service-wide list. Returns the refusal check the prefetch resolver applies to the request's fhirServer.
 */
export function fhirServerRefusal(
  config: FhirServerAccessConfig,
  client: AuthenticatedClient | undefined,
): (fhirServer: string) => string | undefined {
  const allowlist = allowlistFor(config, client);
  return (fhirServer) => refuseUnlistedServer(allowlist, fhirServer, config.mode === 'production');
}

function allowlistFor(config: FhirServerAccessConfig, client: AuthenticatedClient | undefined): FhirServerAllowlist {
  if (!client) {
    return {
      servers: config.fhirServerAllowlist,
      notListed: "is not on this service's list of allowed FHIR servers (SPINE_CDS_FHIR_SERVERS)",
    };
  }
  const { iss, fhirServers } = client.issuer;
  return fhirServers
    ? { servers: fhirServers, notListed: `is not allowed for issuer "${iss}" (its fhirServers in the trust file)` }
    : {
        servers: config.fhirServerAllowlist,
        notListed:
          `is not allowed for issuer "${iss}" ` +
          '(it lists no fhirServers in the trust file, and SPINE_CDS_FHIR_SERVERS does not list it)',
      };
}
