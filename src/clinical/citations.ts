import type { Coding, Condition, MedicationRequest, Observation, Procedure, Resource } from '@medplum/fhirtypes';
import type { Citation } from './computed-fact';
import { effectiveTime, onsetTime, procedureTime } from './fhir-time';
import { type Match } from './code-index';

const SYSTEM_LABELS: Record<string, string> = {
  'http://snomed.info/sct': 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://loinc.org': 'LOINC',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
};

export const isoDate = (time: number | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString().slice(0, 10);

export function reference(resource: Resource): string | undefined {
  return resource.id ? `${resource.resourceType}/${resource.id}` : undefined;
}

function codingText(coding: Coding, fallback?: string): string {
  const system = coding.system ? (SYSTEM_LABELS[coding.system] ?? coding.system) : 'code';
  return `${coding.display ?? fallback ?? coding.code} [${system} ${coding.code}]`;
}

function cite(resource: Resource, text: string): Citation {
  const ref = reference(resource);
  return ref ? { reference: ref, text } : { text };
}

export function citeCondition({ resource, coding }: Match<Condition>): Citation {
  const onset = isoDate(onsetTime(resource));
  return cite(resource, `${codingText(coding, resource.code?.text)}${onset ? `, since ${onset}` : ''}`);
}

export function citeObservation({ resource, coding }: Match<Observation>, value: string): Citation {
  const when = isoDate(effectiveTime(resource));
  return cite(resource, `${codingText(coding, resource.code?.text)}: ${value}${when ? ` on ${when}` : ''}`);
}

export function citeProcedure({ resource, coding }: Match<Procedure>): Citation {
  const when = isoDate(procedureTime(resource));
  return cite(resource, `${codingText(coding, resource.code?.text)}${when ? ` on ${when}` : ''}`);
}

export function citeMedication({ resource, coding }: Match<MedicationRequest>): Citation {
  const when = resource.authoredOn?.slice(0, 10);
  const since = when ? ` since ${when}` : '';
  return cite(resource, `${codingText(coding, resource.medicationCodeableConcept?.text)}, ${resource.status}${since}`);
}
