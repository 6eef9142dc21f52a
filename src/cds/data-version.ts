import type { Bundle, Condition, Resource } from '@medplum/fhirtypes';
import { FieldProblem, readR4Status, type StatusField } from '../fhir/condition-status';
import { FHIR_VERSIONS, SUPPORTED_FHIR_VERSIONS, shapeEvidence, type FhirVersion } from '../fhir/fhir-version';
import { stu3ToR4 } from '../fhir/stu3-to-r4';
import { HttpError } from './protocol/operation-outcome';
import { isObject, type JsonObject } from '../json-value';
import type { DataRequirement } from './data-requirement';
import type { ResolvedData } from './prefetch';
import type { HookRequest } from './types';

const SUPPORTED_TEXT = `this service reads FHIR ${SUPPORTED_FHIR_VERSIONS.join(' and ')} only`;

/** How the version of a hook call's data was known, for the log. */
export type VersionBasis = 'trust-file' | 'capability-statement' | 'resources' | 'default';

export interface VersionedData {
  /** The data in FHIR R4 form, whatever version it came in. */
  data: ResolvedData;
  fhirVersion: FhirVersion;
  fhirVersionFrom: VersionBasis;
}

/** A resource of the hook call and where the client can find it (see `placeOf`). */
interface Located {
  resource: JsonObject;
  key: string;
  /** Its entry in the prefetched Bundle, or its place among the resources read from fhirServer. */
  index?: number;
  from: 'prefetch' | 'fhirServer';
}

/**
 * `prefetch.conditions.entry[2].resource`, `prefetch.patient` or `fhirServer.conditions[2]`; built only when
 * needed.
 */
function placeOf({ key, index, from }: Located): string {
  if (from === 'fhirServer') return `fhirServer.${key}[${index}]`;
  return index === undefined ? `prefetch.${key}` : `prefetch.${key}.entry[${index}].resource`;
}

/**
 * The edge between the data as received and the patient record: decides the FHIR version of the hook call's data
 * (the caller's trust-file pin, else the server's CapabilityStatement, then every resource's shape must agree with
 * it and with each other), refuses what cannot be read (400 for contradictory or unreadable data, 412 for an
 * unsupported version) and returns the data in its R4 meaning. Data that does not single out a version is read as the
 * newest version it may be (R4 when nothing says otherwise).
 */
export function readAsR4(
  request: HookRequest,
  requirements: readonly DataRequirement[],
  data: ResolvedData,
  pinned?: FhirVersion,
): VersionedData {
  const located = locate(request, requirements, data);
  const { version, from } = decideVersion(located, data, pinned);
  if (!SUPPORTED_FHIR_VERSIONS.includes(version.version)) {
    throw new HttpError(412, [
      {
        field: version.at,
        message: `shows FHIR ${version.version} data (${version.why}); ${SUPPORTED_TEXT}`,
        problem: 'fhir-version-not-supported',
      },
    ]);
  }
  const read = version.version === 'STU3' ? stu3ToR4 : withReadableStatuses;
  const resources: Record<string, Resource[]> = {};
  for (const [key, list] of Object.entries(data.resources)) {
    resources[key] = list.map((resource) => {
      try {
        return read(resource);
      } catch (error) {
        if (!(error instanceof FieldProblem)) throw error;
        const found = located.find((candidate) => candidate.resource === (resource as unknown as JsonObject));
        throw new HttpError(400, [
          {
            field: `${found ? placeOf(found) : key}.${error.field}`,
            message: error.message,
            problem: 'unreadable-fhir-data',
          },
        ]);
      }
    });
  }
  return { data: { ...data, resources }, fhirVersion: version.version, fhirVersionFrom: from };
}

/** R4 Conditions with their statuses checked (see ../fhir/condition-status); other resources as they are. */
function withReadableStatuses(resource: Resource): Resource {
  if (resource.resourceType !== 'Condition') return resource;
  let condition: Condition = resource;
  for (const field of ['clinicalStatus', 'verificationStatus'] as StatusField[]) {
    if (condition[field] === undefined) continue;
    const status = readR4Status(field, condition[field]);
    if (status !== condition[field]) condition = { ...condition, [field]: status };
  }
  return condition;
}

interface Established {
  version: FhirVersion;
  /** The field (or `fhirServer`) that showed the version last, and what it showed. */
  at: string;
  why: string;
}

/**
 * The versions still possible narrow with each piece of evidence, in data order; the first resource that leaves
 * none is the one at fault. What remains is read as the newest version still possible.
 */
function decideVersion(
  located: Located[],
  data: ResolvedData,
  pinned: FhirVersion | undefined,
): { version: Established; from: VersionBasis } {
  const declared = pinned ? undefined : data.serverVersion;
  if (declared && typeof declared.version !== 'string') {
    throw new HttpError(412, [
      {
        field: 'fhirServer',
        message: `declares FHIR ${declared.version.unknown} in its CapabilityStatement; ${SUPPORTED_TEXT}`,
        problem: 'fhir-version-not-supported',
      },
    ]);
  }
  const start = pinned ?? (declared?.version as FhirVersion | undefined);
  let possible: readonly FhirVersion[] = start ? [start] : FHIR_VERSIONS;
  let shown: { at: string; why: string } | undefined = pinned
    ? { at: 'fhirServer', why: `the trust file pins FHIR ${pinned} for this caller` }
    : declared && { at: 'fhirServer', why: `its CapabilityStatement declares FHIR ${declared.release}` };
  let unsupported: { at: string; why: string } | undefined;
  for (const place of located) {
    for (const evidence of shapeEvidence(place.resource)) {
      const field = `${placeOf(place)}.${evidence.field}`;
      const remaining = possible.filter((version) => evidence.versions.includes(version));
      if (remaining.length === 0) {
        const earlier = shown ? `${shown.at}: ${shown.why}` : 'the other fields of this resource';
        throw new HttpError(400, [
          {
            field,
            message:
              `${evidence.shows}, which contradicts ${earlier}; ` +
              "send the data of one FHIR version, in that version's form",
            problem: 'mixed-fhir-versions',
          },
        ]);
      }
      if (remaining.length < possible.length) shown = { at: field, why: evidence.shows };
      if (!evidence.versions.some((version) => SUPPORTED_FHIR_VERSIONS.includes(version)))
        unsupported ??= { at: field, why: evidence.shows };
      possible = remaining;
    }
  }
  const version = FHIR_VERSIONS.find((candidate) => possible.includes(candidate)) as FhirVersion;
  const showing = (!SUPPORTED_FHIR_VERSIONS.includes(version) && unsupported) ||
    shown || { at: 'prefetch', why: 'no field says otherwise' };
  const from: VersionBasis = pinned
    ? 'trust-file'
    : declared
      ? 'capability-statement'
      : possible.length === 1
        ? 'resources'
        : 'default';
  return { version: { version, ...showing }, from };
}

/**
 * Every resource of the call in data order: the prefetched ones where the client wrote them (including entries of
 * other types in its Bundles, such as DSTU2 MedicationOrders under `medications`), then those read from fhirServer.
 */
function locate(request: HookRequest, requirements: readonly DataRequirement[], data: ResolvedData): Located[] {
  const located: Located[] = [];
  for (const { key } of requirements) {
    const sent = data.status[key]?.available ? request.prefetch[key] : undefined;
    const bundle = isObject(sent) && sent.resourceType === 'Bundle' ? (sent as unknown as Bundle) : undefined;
    if (bundle) {
      (bundle.entry ?? []).forEach((entry, index) => {
        if (isObject(entry?.resource))
          located.push({ resource: entry.resource as unknown as JsonObject, key, index, from: 'prefetch' });
      });
    } else if (isObject(sent) && sent.resourceType !== 'OperationOutcome') {
      located.push({ resource: sent, key, from: 'prefetch' });
    }
    // Read from fhirServer: all of them when nothing usable was sent, the later pages of a paged prefetched Bundle.
    const status = data.status[key];
    const paged = bundle?.link?.some((link) => link.relation === 'next');
    if (status?.available && status.source === 'prefetch' && !paged) continue;
    const sentEntries = new Set((bundle?.entry ?? []).map((entry) => entry.resource));
    (data.resources[key] ?? []).forEach((resource, index) => {
      if (!sentEntries.has(resource))
        located.push({ resource: resource as unknown as JsonObject, key, index, from: 'fhirServer' });
    });
  }
  return located;
}
