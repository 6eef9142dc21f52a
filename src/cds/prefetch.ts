import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { DataStatus } from './protocol/data-status';
import { FhirReadError, followNextLinks, readResource, searchAll, type FhirClientOptions } from '../fhir/fhir-client';
import type { FhirVersion } from '../fhir/fhir-version';
import type { ServerFhirVersion, ServerFhirVersions } from '../fhir/server-fhir-version';
import { HttpError, type RequestProblem } from './protocol/operation-outcome';
import {
  asResource,
  assertSamePatient,
  isAboutAnotherPatient,
  matches,
  prefetchedResources,
} from './prefetched-content';
import { renderPrefetchTemplate } from './prefetch-template';
import type { DataRequirement } from './data-requirement';
import type { HookRequest } from './types';

export interface ResolvedData {
  resources: Record<string, Resource[]>;
  status: Record<string, DataStatus>;
  /** The version fhirServer declares, when data was read from it (see ../fhir/server-fhir-version). */
  serverVersion?: ServerFhirVersion;
}

export interface FetchSettings {
  deadlineMs: number;
  maxPages: number;
  maxResponseBytes: number;
  /** Returns why the service may not call this server, or undefined when it may. */
  refuseFhirServer(fhirServer: string): string | undefined;
  /** The service's record of the versions FHIR servers declare; without it (offline tools) none is read. */
  serverFhirVersions?: ServerFhirVersions;
  /** The caller's FHIR version when its trust-file entry pins it: the servers' declarations are then not read. */
  pinnedFhirVersion?: FhirVersion;
}

/** For evaluating a request's own data only (rule tools, tests): every FHIR server is refused, with this reason. */
export function offlineFetchSettings(reason: string): FetchSettings {
  return { deadlineMs: 1000, maxPages: 1, maxResponseBytes: 1, refuseFhirServer: () => reason };
}

type Plan = { kind: 'use'; resources: Resource[] } | { kind: 'fetch' } | { kind: 'complete'; bundle: Bundle };

/**
 * Turns the request's prefetch into the data each requirement needs, following CDS Hooks 2.0 semantics:
 * absent key or OperationOutcome → fetch it ourselves; null or empty Bundle → no data, do not refetch;
 * a paged Bundle → fetch its remaining pages. All reads run concurrently under one deadline.
 */
export async function resolvePrefetch(
  request: HookRequest,
  requirements: readonly DataRequirement[],
  settings: FetchSettings,
): Promise<ResolvedData> {
  const plans = requirements.map((requirement) => planFor(request, requirement));
  const refusal = request.fhirServer ? settings.refuseFhirServer(request.fhirServer) : 'no fhirServer was sent';
  const signal = AbortSignal.timeout(settings.deadlineMs);
  const clientOptions = (baseUrl: string): FhirClientOptions => ({
    baseUrl,
    accessToken: request.fhirAuthorization?.access_token,
    signal,
    maxPages: settings.maxPages,
    maxResponseBytes: settings.maxResponseBytes,
  });

  // Read alongside the data, under the same deadline, only when data comes from the server.
  const readsServer = refusal === undefined && plans.some((plan) => plan.kind !== 'use');
  const serverVersion =
    readsServer && settings.serverFhirVersions && !settings.pinnedFhirVersion
      ? settings.serverFhirVersions.read(clientOptions(request.fhirServer as string))
      : undefined;
  // One await for both: a version read rejecting while the data reads are pending would otherwise go unhandled.
  const dataReads = Promise.all(
    requirements.map(async (requirement, index): Promise<[Resource[], DataStatus]> => {
      const plan = plans[index];
      if (plan.kind === 'use') return [plan.resources, { available: true, source: 'prefetch' }];
      if (refusal !== undefined) {
        const why =
          plan.kind === 'complete'
            ? `the prefetched Bundle is paged and its other pages cannot be fetched: ${refusal}`
            : refusal;
        return [[], { available: false, reason: why }];
      }
      try {
        const options = clientOptions(request.fhirServer as string);
        const resources =
          plan.kind === 'complete'
            ? matches(await followNextLinks(plan.bundle, options), requirement)
            : await fetchRequirement(request, requirement, options);
        if (resources.some((resource) => isAboutAnotherPatient(resource, request.context.patientId))) {
          return [[], { available: false, reason: 'fhirServer returned data about another patient' }];
        }
        return [resources, { available: true, source: plan.kind === 'complete' ? 'prefetch' : 'fhirServer' }];
      } catch (error) {
        if (error instanceof FhirReadError) return [[], { available: false, reason: `fhirServer ${error.message}` }];
        throw error;
      }
    }),
  );
  const [outcomes, declared] = await Promise.all([dataReads, serverVersion]);

  const result: ResolvedData = { resources: {}, status: {}, ...(declared ? { serverVersion: declared } : {}) };
  requirements.forEach((requirement, index) => {
    [result.resources[requirement.key], result.status[requirement.key]] = outcomes[index];
  });
  failIfRequiredMissing(requirements, result);
  return result;
}

function planFor(request: HookRequest, requirement: DataRequirement): Plan {
  const { key } = requirement;
  if (!Object.hasOwn(request.prefetch, key)) return { kind: 'fetch' };
  const value = request.prefetch[key];
  const field = `prefetch.${key}`;
  if (value === null) {
    // null for a search is "no matches"; for a required read it is "that resource does not exist".
    if (requirement.required && !requirement.template.includes('?')) {
      throw new HttpError(412, [
        {
          field,
          message: `is null: the ${requirement.resourceType} the hook context names was not found`,
          problem: 'resource-not-found',
        },
      ]);
    }
    return { kind: 'use', resources: [] };
  }
  const resource = asResource(value, field);
  // 2.0: an OperationOutcome means the client's own fetch failed, so the data is still to be had.
  if (resource.resourceType === 'OperationOutcome') return { kind: 'fetch' };
  const resources = prefetchedResources(resource, requirement, field);
  assertSamePatient(resource, request.context.patientId, field);
  if (resource.resourceType === 'Bundle' && resource.link?.some((link) => link.relation === 'next')) {
    return { kind: 'complete', bundle: resource };
  }
  return { kind: 'use', resources };
}

async function fetchRequirement(
  request: HookRequest,
  requirement: DataRequirement,
  options: FhirClientOptions,
): Promise<Resource[]> {
  const query = renderPrefetchTemplate(requirement.template, request.context);
  if (query === undefined) throw new FhirReadError('cannot be queried: the hook context lacks a value the query needs');
  if (!query.includes('?')) {
    const resource = await readResource(query, options);
    if (resource.resourceType !== requirement.resourceType) {
      throw new FhirReadError(`returned ${resource.resourceType} instead of ${requirement.resourceType}`);
    }
    return [resource];
  }
  return matches(await searchAll(query, options), requirement);
}

function failIfRequiredMissing(requirements: readonly DataRequirement[], data: ResolvedData): void {
  const problems: RequestProblem[] = requirements
    .filter((requirement) => requirement.required && !data.status[requirement.key].available)
    .map((requirement) => {
      const status = data.status[requirement.key] as { reason: string };
      return {
        field: `prefetch.${requirement.key}`,
        message: `required data was not prefetched and could not be fetched: ${status.reason}`,
        problem: 'data-unavailable' as const,
      };
    });
  if (problems.length > 0) throw new HttpError(412, problems);
}
