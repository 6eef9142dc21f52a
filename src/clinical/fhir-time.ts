import type { Condition, Observation, Procedure, Resource } from '@medplum/fhirtypes';

/** When things happened, as FHIR R4 records it: each element's choice of date, period or instant, in epoch ms. */

export function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

export function effectiveTime(observation: Observation): number | undefined {
  return parseTime(
    observation.effectiveDateTime ??
      observation.effectivePeriod?.end ??
      observation.effectivePeriod?.start ??
      observation.effectiveInstant ??
      observation.issued,
  );
}

export function procedureTime(procedure: Procedure): number | undefined {
  return parseTime(procedure.performedDateTime ?? procedure.performedPeriod?.end ?? procedure.performedPeriod?.start);
}

/** When a condition began: onset, else the date it was recorded. */
export function onsetTime(condition: Condition): number | undefined {
  return parseTime(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate);
}

/** Sorted newest first (undated as the epoch), stable; each date is parsed once, not once per comparison. */
export function newestFirst<T extends Resource, M extends { resource: T }>(
  matches: M[],
  timeOf: (resource: T) => number | undefined,
): M[] {
  const times = new Map(matches.map((match) => [match, timeOf(match.resource) ?? 0]));
  return matches.sort((a, b) => (times.get(b) as number) - (times.get(a) as number));
}
