import { randomUUID } from 'node:crypto';
import type { Bundle, Coding, OperationOutcome } from '@medplum/fhirtypes';

/**
 * The embedded test server's STU3 and DSTU2 modes. Medplum's MemoryRepository validates against R4, so older data
 * is kept here as stored JSON and served for reads and the searches the service's prefetch templates make, with
 * only the search parameters those versions define for them (anything else is a 400, as a strict server answers).
 */
export type RawFhirVersion = 'STU3' | 'DSTU2';

type Json = Record<string, any>;

/** What `GET metadata` answers: DSTU2 called its CapabilityStatement "Conformance". */
const CAPABILITY: Record<RawFhirVersion, { resourceType: string; fhirVersion: string }> = {
  STU3: { resourceType: 'CapabilityStatement', fhirVersion: '3.0.2' },
  DSTU2: { resourceType: 'Conformance', fhirVersion: '1.0.2' },
};

/** Search parameters per resource type, each defined by STU3 and DSTU2 alike; only the prescription type differs. */
const SEARCH_PARAMETERS = (prescription: string): Record<string, readonly string[]> => ({
  Patient: ['_id'],
  Condition: ['patient'],
  Observation: ['patient', 'code'],
  Procedure: ['patient'],
  [prescription]: ['patient', 'status'],
  Medication: ['_id'],
});

const PRESCRIPTION: Record<RawFhirVersion, string> = { STU3: 'MedicationRequest', DSTU2: 'MedicationOrder' };

/** Paging and format parameters that every version knows and this store ignores (it answers in one page). */
const RESULT_PARAMETERS = ['_count', '_format'];

export interface RawResponse {
  status: number;
  body: unknown;
}

export class RawFhirStore {
  private readonly resources = new Map<string, Json>();

  constructor(readonly version: RawFhirVersion) {}

  load(resources: Json[]): void {
    for (const resource of resources) {
      const id = resource.id ?? randomUUID();
      this.resources.set(`${resource.resourceType}/${id}`, { ...resource, id });
    }
  }

  capabilityStatement(): Json {
    return {
      ...CAPABILITY[this.version],
      status: 'active',
      kind: 'instance',
      format: ['json'],
      rest: [{ mode: 'server' }],
    };
  }

  /** Answers `GET path?query` (path relative to the base, e.g. `Patient/1` or `Condition`). */
  get(path: string, params: URLSearchParams, baseUrl: string): RawResponse {
    const [type, id, ...rest] = path.split('/');
    const known = SEARCH_PARAMETERS(PRESCRIPTION[this.version])[type];
    if (!known) return failure(400, 'not-supported', `Unknown resource type "${type}" in FHIR ${this.version}`);
    if (id !== undefined) {
      const resource = rest.length === 0 ? this.resources.get(`${type}/${id}`) : undefined;
      return resource ? { status: 200, body: resource } : failure(404, 'not-found', `${type}/${id} is not known`);
    }
    for (const name of params.keys()) {
      if (!known.includes(name) && !RESULT_PARAMETERS.includes(name)) {
        return failure(400, 'not-supported', `Unknown search parameter "${name}" for ${type} in FHIR ${this.version}`);
      }
    }
    const matches = [...this.resources.values()].filter(
      (resource) => resource.resourceType === type && matchesAll(resource, params),
    );
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      link: [{ relation: 'self', url: `${baseUrl}/${type}?${params}` }],
      entry: matches.map((resource) => ({
        fullUrl: `${baseUrl}/${type}/${resource.id}`,
        resource: resource as never,
        search: { mode: 'match' },
      })),
    };
    return { status: 200, body: bundle };
  }
}

function matchesAll(resource: Json, params: URLSearchParams): boolean {
  return [...params].every(([name, value]) => {
    const alternatives = value.split(',');
    switch (name) {
      case '_id':
        return alternatives.includes(resource.id);
      case 'patient': {
        const reference = (resource.subject ?? resource.patient)?.reference;
        return alternatives.some((id) => reference === (id.includes('/') ? id : `Patient/${id}`));
      }
      case 'code':
        return alternatives.some((token) => {
          const [system, code] = token.includes('|') ? token.split('|') : [undefined, token];
          return (resource.code?.coding ?? []).some(
            (coding: Coding) => coding.code === code && (!system || coding.system === system),
          );
        });
      case 'status':
        return alternatives.includes(resource.status);
      default:
        return true;
    }
  });
}

function failure(status: number, code: 'not-supported' | 'not-found', text: string): RawResponse {
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details: { text } }],
  };
  return { status, body };
}
