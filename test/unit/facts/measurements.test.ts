import type { Observation } from '@medplum/fhirtypes';
import { latestReading } from '../../../src/clinical/facts/measurements';
import {
  codeIn,
  codingText,
  condition,
  dateDaysAgo,
  daysAgo,
  factContext,
  factDefinition,
  factOf,
  observation,
  parameter,
  patientRecord,
  references,
  unavailable,
} from '../../support/fact-record';

/**
 * The measurement facts (src/clinical/facts/measurements.ts): the newest usable reading within its maximum age, in
 * range, in the right unit, and for escalation or risk stratification dated inside the episode; otherwise unknown,
 * saying why, never a silent "normal".
 */

const PAIN_MAX_AGE = parameter('painScoreMaxAgeDays');
const VITALS_MAX_AGE = parameter('vitalsMaxAgeDays');

const score = (valueSet: string, value: number, days: number | undefined, extra: Partial<Observation> = {}) =>
  observation(valueSet, {
    valueQuantity: { value, unit: '{score}' },
    ...(days === undefined ? {} : { effectiveDateTime: daysAgo(days) }),
    ...extra,
  });
const pain = (value: number, days?: number) => score('pain-score', value, days);
const measured = (id: string, observations: Observation[], conditions = [condition('hypertension')]) =>
  factOf(id, patientRecord({ observations, conditions }));

describe('latest pain score', () => {
  test('the newest reading, whatever the data order, citing it with its value and date (no UCUM annotation)', () => {
    const newest = pain(6, 3);
    expect(measured('painScore', [pain(2, 10), newest, pain(9, 20)])).toEqual({
      value: 6,
      cites: [
        {
          reference: `Observation/${newest.id}`,
          text: `${codingText(codeIn('pain-score'))}: 6 on ${dateDaysAgo(3)}`,
        },
      ],
    });
  });

  test('a reading as an integer value counts; one without a number does not', () => {
    const integer = observation('pain-score', { valueInteger: 4, effectiveDateTime: daysAgo(1) });
    const text = observation('pain-score', { valueString: 'severe', effectiveDateTime: daysAgo(0) });
    expect(measured('painScore', [integer, text]).value).toBe(4);
  });

  test('no reading: unknown, not "no pain"', () => {
    expect(measured('painScore', [])).toEqual({ value: null, cites: [], missing: 'none recorded' });
  });

  test('observations not available: unknown with the reason', () => {
    const record = patientRecord({ observations: [pain(5, 1)], status: { observations: unavailable('timed out') } });
    expect(factOf('painScore', record)).toEqual({
      value: null,
      cites: [],
      missing: 'observations not available: timed out',
    });
    expect(factOf('lowestTScore', record).missing).toBe('observations not available: timed out');
  });

  test('the scale bounds of rules/parameters.json are readings; outside them a reading is ignored and counted', () => {
    const [min, max] = [parameter('painScoreScaleMin'), parameter('painScoreScaleMax')];
    expect(measured('painScore', [pain(min, 1)]).value).toBe(min);
    expect(measured('painScore', [pain(max, 1)]).value).toBe(max);
    expect(measured('painScore', [pain(max + 1, 1), pain(3, 2)]).value).toBe(3);
    expect(measured('painScore', [pain(max + 1, 1), pain(min - 1, 2)])).toEqual({
      value: null,
      cites: [],
      missing: 'none recorded (2 out-of-range value(s) ignored)',
    });
  });

  test('the scale is read from the parameters, and the label prints it', () => {
    const parameters = { ...factContext().parameters, painScoreScaleMin: 1, painScoreScaleMax: 100 };
    const record = patientRecord({ observations: [pain(65, 1)] });
    expect(factOf('painScore', record, factContext({ parameters })).value).toBe(65);
    expect(factOf('painScore', patientRecord({ observations: [pain(0, 1)] }), factContext({ parameters })).value).toBe(
      null,
    );
    expect(factDefinition('painScore').label).toBe(
      'Latest pain score ({{param.painScoreScaleMin}}–{{param.painScoreScaleMax}})',
    );
  });

  test('a visual analogue score in mm is another scale: left out whatever its value, and counted', () => {
    const vas = (value: number, days: number, unit: Partial<{ unit: string; code: string }>) =>
      score('pain-score', value, days, { valueQuantity: { value, ...unit } });
    expect(measured('painScore', [vas(8, 1, { unit: 'mm' })])).toEqual({
      value: null,
      cites: [],
      missing: 'none recorded (1 value(s) in mm ignored)',
    });
    expect(measured('painScore', [vas(8, 1, { unit: 'millimeter', code: 'mm' }), pain(5, 3)]).value).toBe(5);
    expect(measured('painScoreAfterTrial', [vas(8, 1, { unit: 'mm' })]).missing).toBe(
      'none recorded (1 value(s) in mm ignored)',
    );
    expect(measured('painScore', [vas(8, 1, { unit: 'cm' })]).value).toBe(8);
  });

  test('a reading exactly painScoreMaxAgeDays old counts; a day older is unknown, citing it', () => {
    expect(measured('painScore', [pain(5, PAIN_MAX_AGE)]).value).toBe(5);
    const old = pain(5, PAIN_MAX_AGE + 1);
    const fact = measured('painScore', [old]);
    expect(fact.value).toBeNull();
    expect(fact.missing).toBe(`latest from ${dateDaysAgo(PAIN_MAX_AGE + 1)}, older than ${PAIN_MAX_AGE} days`);
    expect(fact.cites).toEqual([expect.objectContaining({ reference: `Observation/${old.id}` })]);
  });

  test('an undated reading cannot be recent: unknown, and it sorts after dated ones', () => {
    expect(measured('painScore', [pain(5)]).missing).toBe(
      `latest from an unknown date, older than ${PAIN_MAX_AGE} days`,
    );
    expect(measured('painScore', [pain(5), pain(7, 2)]).value).toBe(7);
  });

  test('the disability index is a percentage within disabilityIndexScaleMin..Max', () => {
    const index = (value: number) =>
      observation('disability-index', { valueQuantity: { value, unit: '%' }, effectiveDateTime: daysAgo(1) });
    const [min, max] = [parameter('disabilityIndexScaleMin'), parameter('disabilityIndexScaleMax')];
    const fact = measured('disabilityIndex', [index(max)]);
    expect(fact.value).toBe(max);
    expect(fact.cites[0].text).toMatch(new RegExp(`: ${max} % on `));
    expect(measured('disabilityIndex', [index(min)]).value).toBe(min);
    expect(measured('disabilityIndex', [index(max + 1)]).missing).toBe(
      'none recorded (1 out-of-range value(s) ignored)',
    );
    expect(measured('disabilityIndex', [index(min - 1)]).value).toBeNull();
    expect(factDefinition('disabilityIndex')).toMatchObject({ type: 'number', unit: '%' });
    expect(factDefinition('painScore')).not.toHaveProperty('unit');
  });
});

describe('vital signs within their plausible range and vitalsMaxAgeDays', () => {
  const bp = (systolic: number | undefined, diastolic: number, days: number) =>
    observation('blood-pressure-panel', {
      effectiveDateTime: daysAgo(days),
      component: [
        ...(systolic === undefined
          ? []
          : [
              {
                code: { coding: [codeIn('systolic-blood-pressure')] },
                valueQuantity: { value: systolic, unit: 'mmHg' },
              },
            ]),
        { code: { coding: [codeIn('diastolic-blood-pressure')] }, valueQuantity: { value: diastolic, unit: 'mmHg' } },
      ],
    });
  const direct = (valueSet: string, value: number, days: number, unit: string) =>
    observation(valueSet, { valueQuantity: { value, unit }, effectiveDateTime: daysAgo(days) });

  test('a blood pressure panel gives systolic and diastolic from its components, citing the panel with units', () => {
    const panel = bp(150, 95, 10);
    const systolic = measured('systolic', [panel]);
    expect(systolic.value).toBe(150);
    expect(systolic.cites).toEqual([
      {
        reference: `Observation/${panel.id}`,
        text: `${codingText(codeIn('systolic-blood-pressure'))}: 150 mmHg on ${dateDaysAgo(10)}`,
      },
    ]);
    expect(measured('diastolic', [panel]).value).toBe(95);
  });

  test('readings as values and as components are compared by date', () => {
    const newerDirect = direct('systolic-blood-pressure', 120, 5, 'mmHg');
    expect(measured('systolic', [bp(150, 95, 10), newerDirect]).value).toBe(120);
    expect(measured('systolic', [bp(150, 95, 2), newerDirect]).value).toBe(150);
  });

  test('the plausible bounds of rules/parameters.json are kept; a reading beyond them is a recording error', () => {
    const [min, max] = [parameter('systolicPlausibleMin'), parameter('systolicPlausibleMax')];
    expect(measured('systolic', [direct('systolic-blood-pressure', min, 1, 'mmHg')]).value).toBe(min);
    expect(measured('systolic', [direct('systolic-blood-pressure', max, 1, 'mmHg')]).value).toBe(max);
    expect(measured('systolic', [direct('systolic-blood-pressure', max + 1, 1, 'mmHg')]).missing).toBe(
      'none recorded (1 out-of-range value(s) ignored)',
    );
    expect(measured('systolic', [direct('systolic-blood-pressure', min - 1, 1, 'mmHg')]).value).toBeNull();
    const diastolicMin = parameter('diastolicPlausibleMin');
    expect(measured('diastolic', [bp(120, diastolicMin - 1, 1)]).missing).toBe(
      'none recorded (1 out-of-range value(s) ignored)',
    );
    expect(measured('diastolic', [bp(120, parameter('diastolicPlausibleMax'), 1)]).value).toBe(
      parameter('diastolicPlausibleMax'),
    );
    const bmiMin = parameter('bmiPlausibleMin');
    expect(measured('bmi', [direct('bmi', bmiMin, 1, 'kg/m2')]).value).toBe(bmiMin);
    expect(measured('bmi', [direct('bmi', bmiMin - 1, 1, 'kg/m2')]).value).toBeNull();
    expect(measured('bmi', [direct('bmi', parameter('bmiPlausibleMax') + 1, 1, 'kg/m2')]).value).toBeNull();
  });

  test('vitals count up to vitalsMaxAgeDays', () => {
    expect(measured('bmi', [direct('bmi', 31, VITALS_MAX_AGE, 'kg/m2')]).value).toBe(31);
    expect(measured('bmi', [direct('bmi', 31, VITALS_MAX_AGE + 1, 'kg/m2')]).missing).toBe(
      `latest from ${dateDaysAgo(VITALS_MAX_AGE + 1)}, older than ${VITALS_MAX_AGE} days`,
    );
  });

  test('each vital sign fact carries its unit', () => {
    expect(factDefinition('systolic').unit).toBe('mmHg');
    expect(factDefinition('diastolic').unit).toBe('mmHg');
    expect(factDefinition('bmi').unit).toBe('kg/m2');
  });
});

// A panel's own code is not its components' codes: unless the prefetch names the panel too, an EHR that records blood
// pressure or pain only inside a panel sends none of those readings.
test.each([
  ['painScore', ['pain-score', 'pain-score-panel']],
  ['painScoreAfterTrial', ['pain-score', 'pain-score-panel']],
  ['disabilityIndex', ['disability-index']],
  ['startBackTotal', ['start-back-total']],
  ['startBackPsychosocial', ['start-back-psychosocial']],
  ['systolic', ['systolic-blood-pressure', 'blood-pressure-panel']],
  ['diastolic', ['diastolic-blood-pressure', 'blood-pressure-panel']],
  ['bmi', ['bmi']],
  ['lowestTScore', ['bmd-t-score']],
])('%s asks the prefetch for Observations of %j', (id, valueSets) => {
  expect(factDefinition(id).observationValueSets).toEqual(valueSets);
});

describe('readings in a unit (declared observation facts)', () => {
  const reading = (value: number, quantity: Observation['valueQuantity']) =>
    observation('bmi', { valueQuantity: { value, ...quantity }, effectiveDateTime: daysAgo(1) });
  const latestIn = (unit: string, observations: Observation[]) =>
    latestReading(patientRecord({ observations }), factContext(), ['bmi'], { maxAgeDays: 30, unit });

  test('a reading is in the unit by its display or its UCUM code', () => {
    expect(latestIn('kg/m2', [reading(31, { unit: 'kg/m2' })]).value).toBe(31);
    expect(latestIn('kg/m2', [reading(32, { unit: 'kilograms per square metre', code: 'kg/m2' })]).value).toBe(32);
  });

  test('a reading without a unit is only in "1"', () => {
    expect(latestIn('1', [reading(0.5, {})]).value).toBe(0.5);
    expect(latestIn('kg/m2', [reading(31, {})]).missing).toBe(
      'none recorded (1 value(s) in another unit than kg/m2 ignored)',
    );
  });

  test('readings in other units are left out and counted, beside out-of-range ones', () => {
    const fact = latestReading(
      patientRecord({ observations: [reading(31, { unit: 'lb/in2' }), reading(500, { unit: 'kg/m2' })] }),
      factContext(),
      ['bmi'],
      { maxAgeDays: 30, unit: 'kg/m2', range: [10, 100] },
    );
    expect(fact.missing).toBe(
      'none recorded (1 value(s) in another unit than kg/m2 and 1 out-of-range value(s) ignored)',
    );
  });
});

describe('scores after the conservative-care trial (escalation)', () => {
  const CARE_WEEKS = parameter('conservativeCareMinWeeks');
  const RECENT_DAYS = parameter('escalationScoreMaxAgeDays');
  const afterTrial = (episodeDays: number | undefined, scoreDays: number) => {
    const conditions =
      episodeDays === undefined ? [] : [condition('low-back-pain', { onsetDateTime: daysAgo(episodeDays) })];
    return factOf('painScoreAfterTrial', patientRecord({ conditions, observations: [pain(6, scoreDays)] }));
  };
  const refusal = (scoreDays: number) =>
    `latest from ${dateDaysAgo(scoreDays)}, taken before ${CARE_WEEKS} weeks of conservative care ` +
    `had passed and more than ${RECENT_DAYS} days ago`;

  test('a score too early to count is still cited, so the clinician sees which one it was', () => {
    const fact = afterTrial(14, RECENT_DAYS + 1);
    expect(fact).toMatchObject({ value: null, missing: refusal(RECENT_DAYS + 1) });
    expect(fact.cites).toHaveLength(1);
  });

  test('in a long episode a score counts from conservativeCareMinWeeks after its start', () => {
    const episodeDays = CARE_WEEKS * 7 + RECENT_DAYS + 14;
    const trialEnd = episodeDays - CARE_WEEKS * 7;
    expect(afterTrial(episodeDays, trialEnd).value).toBe(6);
    // Older than escalationScoreMaxAgeDays, yet after the trial: it counts.
    expect(afterTrial(episodeDays, RECENT_DAYS + 1).value).toBe(6);
    expect(afterTrial(episodeDays, trialEnd + 1)).toMatchObject({ value: null, missing: refusal(trialEnd + 1) });
  });

  test('in a short episode a score counts when at most escalationScoreMaxAgeDays old', () => {
    expect(afterTrial(14, RECENT_DAYS).value).toBe(6);
    expect(afterTrial(14, RECENT_DAYS + 1).missing).toBe(refusal(RECENT_DAYS + 1));
  });

  test('without a back pain episode any recent enough score counts', () => {
    expect(afterTrial(undefined, PAIN_MAX_AGE).value).toBe(6);
  });

  test('the disability index after the trial follows the same rule', () => {
    const index = observation('disability-index', {
      valueQuantity: { value: 50, unit: '%' },
      effectiveDateTime: daysAgo(3),
    });
    const episode = condition('low-back-pain', { onsetDateTime: daysAgo(7) });
    const recent = factOf('disabilityIndexAfterTrial', patientRecord({ conditions: [episode], observations: [index] }));
    expect(recent.value).toBe(50);
    const early = { ...index, effectiveDateTime: daysAgo(RECENT_DAYS + 1) };
    const longEpisode = condition('low-back-pain', { onsetDateTime: daysAgo(RECENT_DAYS + 2) });
    expect(
      factOf('disabilityIndexAfterTrial', patientRecord({ conditions: [longEpisode], observations: [early] })).missing,
    ).toMatch(/^latest from .*, taken before/);
  });
});

describe('STarT Back scores of the current episode', () => {
  const startBack = (valueSet: string, value: number, days: number, episodeDays: number) =>
    factOf(
      valueSet === 'start-back-total' ? 'startBackTotal' : 'startBackPsychosocial',
      patientRecord({
        conditions: [condition('low-back-pain', { onsetDateTime: daysAgo(episodeDays) })],
        observations: [score(valueSet, value, days)],
      }),
    );

  test('a score from the episode start day counts; one from before the episode does not', () => {
    expect(startBack('start-back-total', 5, 20, 20).value).toBe(5);
    expect(startBack('start-back-total', 5, 21, 20)).toMatchObject({
      value: null,
      missing: `latest from ${dateDaysAgo(21)}, before the current back pain episode began`,
    });
  });

  test('the total and the psychosocial subscore keep to their scales in rules/parameters.json', () => {
    const total = [parameter('startBackTotalScaleMin'), parameter('startBackTotalScaleMax')];
    const psychosocial = [parameter('startBackPsychosocialScaleMin'), parameter('startBackPsychosocialScaleMax')];
    expect(startBack('start-back-total', total[1], 1, 5).value).toBe(total[1]);
    expect(startBack('start-back-total', total[1] + 1, 1, 5).value).toBeNull();
    expect(startBack('start-back-total', total[0], 1, 5).value).toBe(total[0]);
    expect(startBack('start-back-total', total[0] - 1, 1, 5).value).toBeNull();
    expect(startBack('start-back-psychosocial', psychosocial[1], 1, 5).value).toBe(psychosocial[1]);
    expect(startBack('start-back-psychosocial', psychosocial[1] + 1, 1, 5).missing).toBe(
      'none recorded (1 out-of-range value(s) ignored)',
    );
    expect(startBack('start-back-psychosocial', psychosocial[0], 1, 5).value).toBe(psychosocial[0]);
    expect(startBack('start-back-psychosocial', psychosocial[0] - 1, 1, 5).value).toBeNull();
  });
});

describe('lowest bone density T-score', () => {
  const tScore = (value: number, days: number) =>
    observation('bmd-t-score', { valueQuantity: { value }, effectiveDateTime: daysAgo(days) });

  test('the lowest on record, whatever its age, citing it', () => {
    const lowest = tScore(-2.7, 3000);
    const fact = measured('lowestTScore', [tScore(-1.2, 10), lowest, tScore(-2.1, 400)]);
    expect(fact).toEqual({
      value: -2.7,
      cites: [
        {
          reference: `Observation/${lowest.id}`,
          text: `${codingText(codeIn('bmd-t-score'))}: -2.7 on ${dateDaysAgo(3000)}`,
        },
      ],
    });
  });

  test('the lowest wherever it sits among the dates; of equal lowest values, the newest is cited', () => {
    expect(measured('lowestTScore', [tScore(-1.2, 3000), tScore(-2.7, 10), tScore(-2.1, 400)]).value).toBe(-2.7);
    const newest = tScore(-2.5, 10);
    expect(references(measured('lowestTScore', [tScore(-2.5, 500), newest]))).toEqual([`Observation/${newest.id}`]);
  });

  test('values outside tScorePlausibleMin..Max are recording errors, counted; none at all is unknown', () => {
    const [min, max] = [parameter('tScorePlausibleMin'), parameter('tScorePlausibleMax')];
    expect(measured('lowestTScore', [tScore(min, 1), tScore(min - 1, 2)]).value).toBe(min);
    expect(measured('lowestTScore', [tScore(max, 1), tScore(max + 1, 2)]).value).toBe(max);
    const ignored = { value: null, cites: [], missing: 'none recorded (1 out-of-range value(s) ignored)' };
    expect(measured('lowestTScore', [tScore(min - 0.1, 2)])).toEqual(ignored);
    expect(measured('lowestTScore', [tScore(max + 0.1, 2)])).toEqual(ignored);
    expect(measured('lowestTScore', [])).toEqual({ value: null, cites: [], missing: 'none recorded' });
  });
});
