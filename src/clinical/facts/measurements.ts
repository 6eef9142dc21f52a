import type { Observation } from '@medplum/fhirtypes';
import { citeObservation, isoDate } from '../citations';
import { known, notKnown, type Fact } from '../computed-fact';
import { effectiveTime, type Match, type PatientRecord } from '../patient-record';
import { numberParameter, type FactContext, type FactDefinition } from './definition';
import { episodeStartTime } from './episode';

interface Reading {
  match: Match<Observation>;
  value: number;
  unit?: string;
  time?: number;
}

function quantityOf(observation: Observation): { value: number; unit?: string } | undefined {
  if (typeof observation.valueQuantity?.value === 'number') {
    return {
      value: observation.valueQuantity.value,
      unit: observation.valueQuantity.unit ?? observation.valueQuantity.code,
    };
  }
  return typeof observation.valueInteger === 'number' ? { value: observation.valueInteger } : undefined;
}

/** Readings of a measurement, whether recorded as the observation's value or as a component of a panel. */
function readings(record: PatientRecord, valueSet: string): Reading[] {
  const direct = record.observations(valueSet).flatMap((match) => {
    const quantity = quantityOf(match.resource);
    return quantity ? [{ match, ...quantity, time: effectiveTime(match.resource) }] : [];
  });
  const components = record.observationComponents(valueSet).map(({ resource, coding, quantity, unit }) => ({
    match: { resource, coding },
    value: quantity,
    unit,
    time: effectiveTime(resource),
  }));
  return [...direct, ...components].sort((a, b) => (b.time ?? 0) - (a.time ?? 0));
}

/** UCUM annotations such as `{score}` are not units a clinician reads; leave them out. */
const formatReading = (reading: Reading): string =>
  `${reading.value}${reading.unit && !reading.unit.startsWith('{') ? ` ${reading.unit}` : ''}`;

interface LatestOptions {
  label: string;
  maxAgeParameter: string;
  range?: [number, number];
  /** The earliest time a reading counts from, and how an earlier one reads; none: any reading within the age. */
  countsFrom?: (record: PatientRecord, context: FactContext) => { time: number; reason: string } | undefined;
}

/**
 * The newest reading within the allowed age. Old records are common (Synthea, migrated data): when only an
 * older reading exists the fact is unknown and says how old the newest one is, never silently "normal".
 */
function latestReading(record: PatientRecord, context: FactContext, valueSet: string, options: LatestOptions): Fact {
  if (!record.isAvailable('observations'))
    return notKnown(`observations not available: ${record.unavailableReason('observations')}`);
  const all = readings(record, valueSet);
  const { range } = options;
  const valid = range ? all.filter((r) => r.value >= range[0] && r.value <= range[1]) : all;
  const newest = valid[0];
  if (!newest) {
    const invalid = all.length - valid.length;
    return notKnown(`no ${options.label} recorded${invalid > 0 ? ` (${invalid} out-of-range value(s) ignored)` : ''}`);
  }
  const maxAgeDays = numberParameter(context, options.maxAgeParameter);
  const cite = citeObservation(newest.match, formatReading(newest));
  if (newest.time === undefined || record.daysSince(newest.time) > maxAgeDays) {
    const when = isoDate(newest.time) ?? 'an unknown date';
    return notKnown(`the latest ${options.label} is from ${when}, older than ${maxAgeDays} days`, [cite]);
  }
  const from = options.countsFrom?.(record, context);
  if (from !== undefined && newest.time < from.time) {
    return notKnown(`the latest ${options.label} is from ${isoDate(newest.time)}, ${from.reason}`, [cite]);
  }
  return known(newest.value, [cite]);
}

function lowestTScore(record: PatientRecord): Fact {
  if (!record.isAvailable('observations'))
    return notKnown(`observations not available: ${record.unavailableReason('observations')}`);
  const all = readings(record, 'bmd-t-score').filter((r) => r.value >= -10 && r.value <= 10);
  if (all.length === 0) return notKnown('no bone density (DXA T-score) result on record');
  const lowest = all.reduce((min, r) => (r.value < min.value ? r : min));
  return known(lowest.value, [citeObservation(lowest.match, formatReading(lowest))]);
}

interface MeasurementSpec extends LatestOptions {
  id: string;
  factLabel: string;
  unit?: string;
  valueSet: string;
}

/** A fact holding the latest reading of one measurement (within its maximum age). */
function latestMeasurement({ id, factLabel, unit, valueSet, ...options }: MeasurementSpec): FactDefinition {
  return {
    id,
    label: factLabel,
    type: 'number',
    ...(unit ? { unit } : {}),
    compute: (record, context) => latestReading(record, context, valueSet, options),
  };
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Escalation (injection, surgical referral) asks whether pain persists after the conservative-care trial: a score
 * counts when dated at least conservativeCareMinWeeks into the episode, or within escalationScoreMaxAgeDays. A score
 * from the first days of the episode cannot show that conservative care failed (issue 16 item 11).
 */
function afterConservativeCare(record: PatientRecord, context: FactContext) {
  const start = episodeStartTime(record, context);
  if (start === undefined) return undefined;
  const weeks = numberParameter(context, 'conservativeCareMinWeeks');
  const recentDays = numberParameter(context, 'escalationScoreMaxAgeDays');
  return {
    time: Math.min(start + weeks * WEEK_MS, record.now.getTime() - recentDays * 86_400_000),
    reason: `taken before ${weeks} weeks of conservative care had passed and more than ${recentDays} days ago`,
  };
}

/** NICE NG59 1.1.2: risk stratification belongs to each new episode, so a score from an earlier one does not count. */
function sinceEpisodeStart(record: PatientRecord, context: FactContext) {
  const start = episodeStartTime(record, context);
  return start === undefined ? undefined : { time: start, reason: 'before the current back pain episode began' };
}

export const measurementFacts: FactDefinition[] = [
  latestMeasurement({
    id: 'painScore',
    factLabel: 'Latest pain score (0–10)',
    valueSet: 'pain-score',
    label: 'pain score',
    maxAgeParameter: 'painScoreMaxAgeDays',
    range: [0, 10],
  }),
  latestMeasurement({
    id: 'disabilityIndex',
    factLabel: 'Latest disability index (Oswestry, %)',
    unit: '%',
    valueSet: 'disability-index',
    label: 'disability index',
    maxAgeParameter: 'painScoreMaxAgeDays',
    range: [0, 100],
  }),
  latestMeasurement({
    id: 'painScoreAfterTrial',
    factLabel: 'Pain score (0–10) after the conservative-care trial (or recent)',
    valueSet: 'pain-score',
    label: 'pain score',
    maxAgeParameter: 'painScoreMaxAgeDays',
    range: [0, 10],
    countsFrom: afterConservativeCare,
  }),
  latestMeasurement({
    id: 'disabilityIndexAfterTrial',
    factLabel: 'Disability index (Oswestry, %) after the conservative-care trial (or recent)',
    unit: '%',
    valueSet: 'disability-index',
    label: 'disability index',
    maxAgeParameter: 'painScoreMaxAgeDays',
    range: [0, 100],
    countsFrom: afterConservativeCare,
  }),
  latestMeasurement({
    id: 'startBackTotal',
    factLabel: 'STarT Back total score in this episode',
    valueSet: 'start-back-total',
    label: 'STarT Back score',
    maxAgeParameter: 'painScoreMaxAgeDays',
    range: [0, 9],
    countsFrom: sinceEpisodeStart,
  }),
  latestMeasurement({
    id: 'startBackPsychosocial',
    factLabel: 'STarT Back psychosocial subscore in this episode',
    valueSet: 'start-back-psychosocial',
    label: 'STarT Back psychosocial subscore',
    maxAgeParameter: 'painScoreMaxAgeDays',
    range: [0, 5],
    countsFrom: sinceEpisodeStart,
  }),
  { id: 'lowestTScore', label: 'Lowest bone density T-score on record', type: 'number', compute: lowestTScore },
  latestMeasurement({
    id: 'systolic',
    factLabel: 'Latest systolic blood pressure',
    unit: 'mmHg',
    valueSet: 'systolic-blood-pressure',
    label: 'systolic blood pressure',
    maxAgeParameter: 'vitalsMaxAgeDays',
    range: [40, 300],
  }),
  latestMeasurement({
    id: 'diastolic',
    factLabel: 'Latest diastolic blood pressure',
    unit: 'mmHg',
    valueSet: 'diastolic-blood-pressure',
    label: 'diastolic blood pressure',
    maxAgeParameter: 'vitalsMaxAgeDays',
    range: [20, 200],
  }),
  latestMeasurement({
    id: 'bmi',
    factLabel: 'Latest body mass index',
    unit: 'kg/m2',
    valueSet: 'bmi',
    label: 'body mass index',
    maxAgeParameter: 'vitalsMaxAgeDays',
    range: [8, 150],
  }),
];
