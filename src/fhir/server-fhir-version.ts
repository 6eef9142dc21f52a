import { FhirReadError, readResource, type FhirClientOptions } from './fhir-client';
import { versionOfRelease, type FhirVersion } from './fhir-version';

/** The FHIR version a server declares in its CapabilityStatement (DSTU2: Conformance). */
export interface ServerFhirVersion {
  version: FhirVersion | { unknown: string };
  /** The release as the server wrote it, e.g. "3.0.2" (for messages and the log). */
  release: string;
}

/** Servers are few (they come from an allowlist) but their URLs are chosen by callers, so the cache is bounded. */
const MAX_SERVERS = 1000;

/**
 * Each FHIR server's declared version, read once from `GET [base]/metadata` and kept until restart. A failed read
 * is not kept: the call then goes by the resources' shapes, and the next call asks again.
 */
export class ServerFhirVersions {
  private readonly known = new Map<string, ServerFhirVersion>();

  async read(options: FhirClientOptions): Promise<ServerFhirVersion | undefined> {
    const cached = this.known.get(options.baseUrl);
    if (cached) return cached;
    const declared = await readDeclaredVersion(options);
    if (declared) {
      if (this.known.size >= MAX_SERVERS) this.known.delete(this.known.keys().next().value as string);
      this.known.set(options.baseUrl, declared);
    }
    return declared;
  }
}

async function readDeclaredVersion(options: FhirClientOptions): Promise<ServerFhirVersion | undefined> {
  try {
    const statement = (await readResource('metadata', options)) as { resourceType: string; fhirVersion?: unknown };
    const isStatement = statement.resourceType === 'CapabilityStatement' || statement.resourceType === 'Conformance';
    if (!isStatement || typeof statement.fhirVersion !== 'string') return undefined;
    return { version: versionOfRelease(statement.fhirVersion), release: statement.fhirVersion.slice(0, 20) };
  } catch (error) {
    if (error instanceof FhirReadError) return undefined;
    throw error;
  }
}
