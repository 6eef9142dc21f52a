import fs from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { PROJECT_ROOT } from './spine-service';

/**
 * Older FHIR data for the version tests: the Synthea STU3 and DSTU2 sample bundles (test/fixtures/synthea), and a
 * conversion of R4 test data into STU3 as an STU3 server would hold it.
 */

type Json = Record<string, any>;

export interface SampleChart {
  name: string;
  patientId: string;
  /** The bundle's resources as a server stores them: every resource has an id, references are `Type/id`. */
  resources: Resource[];
}

const SAMPLES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'synthea');

/** Every sample bundle of one version, in file-name order. */
export function sampleCharts(version: 'stu3' | 'dstu2'): SampleChart[] {
  const folder = path.join(SAMPLES, version);
  return fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const resources = asStored(JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')));
      const patient = resources.find((resource) => resource.resourceType === 'Patient') as Resource;
      return { name: file.replace(/\.json$/, ''), patientId: patient.id as string, resources };
    });
}

/**
 * What a server makes of a Synthea transaction/collection bundle: ids for the resources that have none, and the
 * bundle-internal `urn:uuid:` references rewritten to `Type/id`.
 */
function asStored(bundle: Json): Resource[] {
  const entries: Json[] = bundle.entry;
  const typedIds = new Map<string, string>();
  const patientId: string = entries.find((entry) => entry.resource.resourceType === 'Patient')?.resource.id;
  const withIds = entries.map((entry, index) => {
    // Unique across bundles, since the tests load several into one server.
    const resource = { ...entry.resource, id: entry.resource.id ?? `${patientId.slice(0, 8)}-${index}` };
    if (typeof entry.fullUrl === 'string') typedIds.set(entry.fullUrl, `${resource.resourceType}/${resource.id}`);
    return resource;
  });
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === 'reference' && typeof inner === 'string' ? (typedIds.get(inner) ?? inner) : rewrite(inner),
      ]),
    );
  };
  return withIds.map((resource) => rewrite(resource) as Resource);
}

/**
 * R4 test data as STU3 writes it, for the fields that differ in what the service reads (the reverse of
 * src/fhir/stu3-to-r4.ts, written independently from the two specifications): Condition statuses as plain codes
 * and `recordedDate` as `assertedDate`; `encounter` as `context`; Procedure `not-done` / `on-hold` / `stopped` as
 * `notDone` / `suspended` / `aborted`; Observation `valueInteger` (which STU3 lacks) as a unitless valueQuantity.
 */
export function toStu3(resource: Resource): Resource {
  const copy: Json = { ...resource };
  const rename = (from: string, to: string) => {
    if (copy[from] === undefined) return;
    copy[to] = copy[from];
    delete copy[from];
  };
  rename('encounter', 'context');
  if (copy.resourceType === 'Condition') {
    for (const field of ['clinicalStatus', 'verificationStatus']) {
      if (copy[field] !== undefined) copy[field] = copy[field].coding[0].code;
    }
    rename('recordedDate', 'assertedDate');
  }
  if (copy.resourceType === 'Procedure') {
    const status: Record<string, string> = { 'on-hold': 'suspended', stopped: 'aborted' };
    if (copy.status === 'not-done') {
      copy.notDone = true;
      copy.status = 'completed';
    } else copy.status = status[copy.status] ?? copy.status;
  }
  if (copy.resourceType === 'Observation' && copy.valueInteger !== undefined) {
    copy.valueQuantity = { value: copy.valueInteger };
    delete copy.valueInteger;
  }
  return copy as Resource;
}

/** A hook request with every resource of its prefetch (single resources and Bundle entries) in STU3 form. */
export function requestToStu3<T extends { prefetch?: Record<string, any> }>(request: T): T {
  const prefetch = Object.fromEntries(
    Object.entries(request.prefetch ?? {}).map(([key, value]) => [
      key,
      value?.resourceType === 'Bundle'
        ? { ...value, entry: value.entry.map((entry: Json) => ({ ...entry, resource: toStu3(entry.resource) })) }
        : value && toStu3(value),
    ]),
  );
  return { ...request, prefetch };
}
