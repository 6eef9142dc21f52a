import type { Condition } from '@medplum/fhirtypes';
import { citeCondition } from '../../../src/clinical/citations';
import { condition, factOf, patientRecord } from '../../support/fact-record';

/**
 * Conditions recorded as current whose abatement has passed (src/clinical/facts/recorded-status.ts): they count as
 * ended, and the fact counts them, citing each with its end date, so the card can tell the clinician.
 */

const status = (code: string) => ({ coding: [{ code }] });
const ended = (conditions: Condition[]) => factOf('endedConditionsRecordedActive', patientRecord({ conditions }));
const citeOf = (resource: Condition) => citeCondition({ resource, coding: resource.code?.coding?.[0] ?? {} });

test.each(['active', 'recurrence', 'relapse'])(
  'recorded %s with a past abatement date: counted, with its end',
  (code) => {
    const resource = condition('hypertension', {
      clinicalStatus: status(code),
      abatementDateTime: '2026-03-04T10:00:00Z',
    });
    expect(ended([resource])).toEqual({
      value: 1,
      cites: [{ reference: `Condition/${resource.id}`, text: `${citeOf(resource).text}, ended 2026-03-04` }],
    });
  },
);

test('the end is the abatement period end, else its start; an abatement in words has no date to show', () => {
  const period = condition('hypertension', { abatementPeriod: { start: '2025-01-01', end: '2026-02-01' } });
  const started = condition('hypertension', { abatementPeriod: { start: '2025-05-06' } });
  const words = condition('hypertension', { abatementString: 'after surgery' });
  expect(ended([period, started, words]).cites.map((cite) => cite.text)).toEqual([
    `${citeOf(period).text}, ended 2026-02-01`,
    `${citeOf(started).text}, ended 2025-05-06`,
    citeOf(words).text,
  ]);
});

test('not counted: an abatement still to come, a status that is not current, no status, refuted or in error', () => {
  const past = { abatementDateTime: '2026-01-01' };
  const counted = ended([
    condition('hypertension', { abatementDateTime: '2027-01-01' }),
    condition('hypertension', { ...past, clinicalStatus: status('resolved') }),
    condition('hypertension', { ...past, clinicalStatus: undefined }),
    condition('hypertension', { ...past, verificationStatus: status('refuted') }),
    condition('hypertension', { ...past, verificationStatus: status('entered-in-error') }),
  ]);
  expect(counted).toEqual({ value: 0, cites: [] });
});

test('only conditions the rules would read: coded in some ValueSet, cited by that coding', () => {
  const uncoded = { system: 'http://snomed.info/sct', code: '1111111' };
  const mixed = condition('hypertension', { abatementDateTime: '2026-01-01' });
  mixed.code = { coding: [uncoded, ...(mixed.code?.coding ?? [])] };
  const fact = ended([
    mixed,
    condition('hypertension', { abatementDateTime: '2026-01-01', code: { coding: [uncoded] } }),
  ]);
  expect(fact.value).toBe(1);
  expect(fact.cites[0].text).not.toContain('1111111');
});

test('a status sent with an empty coding list is no status: no crash, and only a claim of "current" is counted', () => {
  const unverified = condition('hypertension', {
    clinicalStatus: status('active'),
    verificationStatus: { coding: [] },
    abatementDateTime: '2026-03-04T10:00:00Z',
  });
  const unclaimed = condition('hypertension', { clinicalStatus: { coding: [] }, abatementDateTime: '2026-03-04' });
  expect(ended([unverified, unclaimed]).value).toBe(1);
});
