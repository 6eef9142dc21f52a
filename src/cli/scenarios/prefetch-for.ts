import type { Bundle, Coding, Resource } from '@medplum/fhirtypes';
import type { DataRequirement } from '../../cds/data-requirement';

/**
 * What an EHR answers to each prefetch template: a read for `Patient/{{context.patientId}}`, a searchset for the
 * searches, filtered by the search parameters the templates use (patient, code, status).
 */
export function prefetchFor(
  resources: Resource[],
  patientId: string,
  requirements: readonly DataRequirement[],
): Record<string, Resource | Bundle | null> {
  const prefetch: Record<string, Resource | Bundle | null> = {};
  for (const requirement of requirements) {
    const query = requirement.template.replace(/\{\{\s*context\.patientId\s*\}\}/g, patientId);
    const [resourcePath, search] = query.split('?');
    if (search === undefined) {
      const [type, id] = resourcePath.split('/');
      prefetch[requirement.key] =
        resources.find((resource) => resource.resourceType === type && resource.id === id) ?? null;
      continue;
    }
    const params = new URLSearchParams(search);
    const matches = resources.filter(
      (resource) => resource.resourceType === resourcePath && matchesSearch(resource, params),
    );
    prefetch[requirement.key] = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      entry: matches.map((resource) => ({ resource })),
    };
  }
  return prefetch;
}

function matchesSearch(resource: Resource, params: URLSearchParams): boolean {
  for (const [name, value] of params) {
    const alternatives = value.split(',');
    if (name === 'patient') {
      const subject = (resource as { subject?: { reference?: string } }).subject?.reference;
      if (!alternatives.some((id) => subject === `Patient/${id.replace(/^Patient\//, '')}`)) return false;
    } else if (name === 'code') {
      const codings: Coding[] = (resource as { code?: { coding?: Coding[] } }).code?.coding ?? [];
      const found = alternatives.some((token) => {
        const [system, code] = token.includes('|') ? token.split('|') : [undefined, token];
        return codings.some(
          (coding) => coding.code === code && (system === undefined || system === '' || coding.system === system),
        );
      });
      if (!found) return false;
    } else if (name === 'status') {
      if (!alternatives.includes((resource as { status?: string }).status ?? '')) return false;
    }
  }
  return true;
}
