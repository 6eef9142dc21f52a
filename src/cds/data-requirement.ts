import type { ResourceType } from '@medplum/fhirtypes';

/** One prefetch key a service declares: what it reads and whether the service can answer without it. */
export interface DataRequirement {
  key: string;
  template: string;
  resourceType: ResourceType;
  /** Without required data the service answers 412; optional data that cannot be had is reported on cards. */
  required: boolean;
}
