import type { Observation } from '@medplum/fhirtypes';
import { citeObservation, isoDate } from '../citations';
import { known, notKnown, type Fact } from '../computed-fact';
import { effectiveTime } from '../fhir-time';
import { type Match } from '../code-index';
import { type PatientRecord } from '../patient-record';
import { daysValue, numberParameter, type DaysSpec, type FactContext, type FactDefinition } from './definition';
import { episodeStartTime } from './episode';

interface Reading {
  match: Match<Observation>;
  value: number;
  /** As recorded: the unit's display, else its UCUM code. */
  unit?: string;
  /** The UCUM code, when recorded beside a display. */
  code?: string;
  time?: number;
}

function quantityOf(observation: Observation): { value: number; unit?: string; code?: string } | undefined {
  const quantity = observation.valueQuantity;
  if (typeof quantity?.value === 'number') {
    return { value: quantity.value, unit: quantity.unit ?? quantity.code, code: quantity.code };
  }
  return typeof observation.valueInteger === 'number' ? { value: observation.valueInteger } : undefined;
}

/** Readings of a measurement, whether recorded as the observation's value or as a component of a panel. */
function readings(record: PatientRecord, valueSets: readonly string[]): Reading[] {
  const direct = valueSets.flatMap((valueSet) =>
    record.observations(valueSet).flatMap((match) => {
      const quantity = quantityOf(match.resource);
      return quantity ? [{ match, ...quantity, time: effectiveTime(match.resource) }] : [];
    }),
  );
  const components = valueSets.flatMap((valueSet) =>
    record.observationComponents(valueSet).map(({ resource, coding, quantity, unit, code }) => ({
      match: { resource, coding },
      value: quantity,
      unit,
      code,
      time: effectiveTime(resource),
    })),
  );
  return [...direct, ...components].sort((a, b) => (b.time ?? 0) - (a.time ?? 0));
}

/** A reading is in a unit when its UCUM code or its display says so; one recorded without a unit only in "1". */
const isInUnit = (reading: Reading, unit: string): boolean =>
  reading.unit === undefined ? unit === '1' : reading.unit === unit || reading.code === unit;

/** UCUM annotations such as `{score}` are not units a clinician reads; leave them out. */
const formatReading = (reading: Reading): string =>
  `${reading.value}${reading.unit && !reading.unit.startsWith('{') ? ` ${reading.unit}` : ''}`;

export interface LatestOptions {
  maxAgeDays: DaysSpec;
  /** A declared fact's plausible range (rules/facts.json): readings outside are ignored. */
  range?: readonly [number, number];
  /**
   * Parameters bounding a valid reading: the instrument's own scale (pain, disability, STarT Back) or a plausible
   * range (outside: a recording error, such as a weight typed as a height).
   */
  plausible?: { min: string; max: string };
  /** Only readings in this unit count (declared facts); the others are left out and the note says how many. */
  unit?: string;
  /**
   * Readings in this unit are another instrument's, whatever their value: left out and counted in the note. A pain
   * score in mm is a visual analogue scale of 0-100 mm (LOINC 38214-3 is in pain-score): 8 mm is mild pain, not 8.
   */
  otherInstrumentUnit?: string;
  /** The earliest time a reading counts from, and how an earlier one reads; none: any reading within the age. */
  countsFrom?: (record: PatientRecord, context: FactContext) => { time: number; reason: string } | undefined;
}

type ReadingBounds = Pick<LatestOptions, 'range' | 'plausible' | 'unit' | 'otherInstrumentUnit'>;

/** The bounds a reading must fall within to be used, if any. */
function validRange(context: FactContext, { range, plausible }: ReadingBounds): readonly [number, number] | undefined {
  if (plausible) return [numberParameter(context, plausible.min), numberParameter(context, plausible.max)];
  return range;
}

/** Which readings count by their unit, and how the note names the ones left out. */
function unitFilter({ unit, otherInstrumentUnit }: ReadingBounds): { counts: (r: Reading) => boolean; others: string } {
  if (unit !== undefined) return { counts: (r) => isInUnit(r, unit), others: `in another unit than ${unit}` };
  if (otherInstrumentUnit !== undefined) {
    return { counts: (r) => !isInUnit(r, otherInstrumentUnit), others: `in ${otherInstrumentUnit}` };
  }
  // Stryker disable next-line StringLiteral: never printed, as every reading counts
  return { counts: () => true, others: '' };
}

/**
 * The readings a fact may use, newest first: in the unit asked for and within the bounds. When there are none, the
 * fact is not known and says how many readings were left out and why: an ignored reading is never read as "normal".
 */
function usableReadings(
  record: PatientRecord,
  context: FactContext,
  valueSets: readonly string[],
  bounds: ReadingBounds,
): Reading[] | Fact {
  if (!record.isAvailable('observations'))
    return notKnown(`observations not available: ${record.unavailableReason('observations')}`);
  const range = validRange(context, bounds);
  const byUnit = unitFilter(bounds);
  const all = readings(record, valueSets);
  const inUnit = all.filter(byUnit.counts);
  const usable = range ? inUnit.filter((r) => r.value >= range[0] && r.value <= range[1]) : inUnit;
  if (usable.length > 0) return usable;
  // No reading is usable, so every reading in the unit was out of range.
  const ignored = [
    all.length > inUnit.length ? `${all.length - inUnit.length} value(s) ${byUnit.others}` : '',
    inUnit.length > 0 ? `${inUnit.length} out-of-range value(s)` : '',
  ].filter(Boolean);
  // The card names the reading beside its reason, so readings with the same reason share one phrase.
  return notKnown(`none recorded${ignored.length > 0 ? ` (${ignored.join(' and ')} ignored)` : ''}`);
}

/**
 * The newest reading within the allowed age. Old records are common (Synthea, migrated data): when only an
 * older reading exists the fact is unknown and says how old the newest one is, never silently "normal".
 */
export function latestReading(
  record: PatientRecord,
  context: FactContext,
  valueSets: readonly string[],
  options: LatestOptions,
): Fact {
  const usable = usableReadings(record, context, valueSets, options);
  if (!Array.isArray(usable)) return usable;
  const newest = usable[0];
  const maxAgeDays = daysValue(options.maxAgeDays, context);
  const cite = citeObservation(newest.match, formatReading(newest));
  if (newest.time === undefined || record.daysSince(newest.time) > maxAgeDays) {
    const when = isoDate(newest.time) ?? 'an unknown date';
    return notKnown(`latest from ${when}, older than ${maxAgeDays} days`, [cite]);
  }
  const from = options.countsFrom?.(record, context);
  if (from !== undefined && newest.time < from.time) {
    return notKnown(`latest from ${isoDate(newest.time)}, ${from.reason}`, [cite]);
  }
  return known(newest.value, [cite]);
}

const T_SCORES = ['bmd-t-score'];

function lowestTScore(record: PatientRecord, context: FactContext): Fact {
  const usable = usableReadings(record, context, T_SCORES, {
    plausible: { min: 'tScorePlausibleMin', max: 'tScorePlausibleMax' },
  });
  if (!Array.isArray(usable)) return usable;
  const lowest = usable.reduce((min, r) => (r.value < min.value ? r : min));
  return known(lowest.value, [citeObservation(lowest.match, formatReading(lowest))]);
}

interface MeasurementSpec extends LatestOptions {
  id: string;
  factLabel: string;
  unit?: string;
  valueSet: string;
  /**
   * Panels carrying the reading as a component: the prefetch asks for them too, since a search by code finds an
   * Observation by its own code, not by its components'.
   */
  panel?: string;
}

/** A fact holding the latest reading of one measurement (within its maximum age). */
function latestMeasurement({ id, factLabel, unit, valueSet, panel, ...options }: MeasurementSpec): FactDefinition {
  return {
    id,
    label: factLabel,
    type: 'number',
    ...(unit ? { unit } : {}),
    observationValueSets: [valueSet, ...(panel ? [panel] : [])],
    compute: (record, context) => latestReading(record, context, [valueSet], options),
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

/** The pain scale as labels print it: "(0–10)" with the bundled parameters. */
const PAIN_SCALE = '({{param.painScoreScaleMin}}–{{param.painScoreScaleMax}})';

/** The readings of the two pain facts (latest, and after the conservative-care trial). */
const PAIN_READINGS = {
  panel: 'pain-score-panel',
  valueSet: 'pain-score',
  maxAgeDays: { param: 'painScoreMaxAgeDays' },
  plausible: { min: 'painScoreScaleMin', max: 'painScoreScaleMax' },
  otherInstrumentUnit: 'mm',
} as const;

/** The readings of the two disability facts. */
const DISABILITY_READINGS = {
  unit: '%',
  valueSet: 'disability-index',
  maxAgeDays: { param: 'painScoreMaxAgeDays' },
  plausible: { min: 'disabilityIndexScaleMin', max: 'disabilityIndexScaleMax' },
} as const;

export const measurementFacts: FactDefinition[] = [
  latestMeasurement({
    id: 'painScore',
    factLabel: `Latest pain score ${PAIN_SCALE}`,
    ...PAIN_READINGS,
  }),
  latestMeasurement({
    id: 'disabilityIndex',
    factLabel: 'Latest disability index (Oswestry, %)',
    ...DISABILITY_READINGS,
  }),
  latestMeasurement({
    id: 'painScoreAfterTrial',
    factLabel: `Pain score ${PAIN_SCALE} after the conservative-care trial (or recent)`,
    ...PAIN_READINGS,
    countsFrom: afterConservativeCare,
  }),
  latestMeasurement({
    id: 'disabilityIndexAfterTrial',
    factLabel: 'Disability index (Oswestry, %) after the conservative-care trial (or recent)',
    ...DISABILITY_READINGS,
    countsFrom: afterConservativeCare,
  }),
  latestMeasurement({
    id: 'startBackTotal',
    factLabel: 'STarT Back total score in this episode',
    valueSet: 'start-back-total',
    maxAgeDays: { param: 'painScoreMaxAgeDays' },
    plausible: { min: 'startBackTotalScaleMin', max: 'startBackTotalScaleMax' },
    countsFrom: sinceEpisodeStart,
  }),
  latestMeasurement({
    id: 'startBackPsychosocial',
    factLabel: 'STarT Back psychosocial subscore in this episode',
    valueSet: 'start-back-psychosocial',
    maxAgeDays: { param: 'painScoreMaxAgeDays' },
    plausible: { min: 'startBackPsychosocialScaleMin', max: 'startBackPsychosocialScaleMax' },
    countsFrom: sinceEpisodeStart,
  }),
  {
    id: 'lowestTScore',
    label: 'Lowest bone density T-score on record',
    type: 'number',
    observationValueSets: T_SCORES,
    compute: lowestTScore,
  },
  latestMeasurement({
    id: 'systolic',
    factLabel: 'Latest systolic blood pressure',
    unit: 'mmHg',
    panel: 'blood-pressure-panel',
    valueSet: 'systolic-blood-pressure',
    maxAgeDays: { param: 'vitalsMaxAgeDays' },
    plausible: { min: 'systolicPlausibleMin', max: 'systolicPlausibleMax' },
  }),
  latestMeasurement({
    id: 'diastolic',
    factLabel: 'Latest diastolic blood pressure',
    unit: 'mmHg',
    panel: 'blood-pressure-panel',
    valueSet: 'diastolic-blood-pressure',
    maxAgeDays: { param: 'vitalsMaxAgeDays' },
    plausible: { min: 'diastolicPlausibleMin', max: 'diastolicPlausibleMax' },
  }),
  latestMeasurement({
    id: 'bmi',
    factLabel: 'Latest body mass index',
    unit: 'kg/m2',
    valueSet: 'bmi',
    maxAgeDays: { param: 'vitalsMaxAgeDays' },
    plausible: { min: 'bmiPlausibleMin', max: 'bmiPlausibleMax' },
  }),
];
