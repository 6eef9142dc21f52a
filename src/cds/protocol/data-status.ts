/**
 * Where data under a prefetch key came from (the client's prefetch or the EHR's FHIR server), or why it could not
 * be had.
 */
export type DataSource = 'prefetch' | 'fhirServer';
export type DataStatus = { available: true; source: DataSource } | { available: false; reason: string };
