import type { Condition, MedicationRequest, Procedure } from '@medplum/fhirtypes';
import type { RecordData } from '../../../src/clinical/patient-record';
import {
  codeIn,
  codingText,
  condition,
  dateDaysAgo,
  daysAgo,
  factOf,
  medicationRequest,
  patientRecord,
  procedure,
  references,
  unavailable,
} from '../../support/fact-record';

/**
 * The history facts (src/clinical/facts/history.ts): past cancer, spinal surgery and its coded status, back pain
 * that began after surgery, and drug use, each citing what it read and unknown where the data cannot tell.
 */

const resolved = { clinicalStatus: { coding: [{ code: 'resolved' }] } };
const history = (id: string, data: Partial<RecordData>) => factOf(id, patientRecord(data));

describe('cancer history', () => {
  test('a personal-history code, or a cancer no longer active, is history; each is cited', () => {
    const personal = condition('history-of-cancer');
    const pastCancer = condition('malignant-neoplasm', resolved);
    const pastSpinal = condition('spinal-neoplasm', resolved);
    const fact = history('cancerHistory', { conditions: [personal, pastCancer, pastSpinal] });
    expect(fact.value).toBe(true);
    expect(references(fact)).toEqual([
      `Condition/${personal.id}`,
      `Condition/${pastCancer.id}`,
      `Condition/${pastSpinal.id}`,
    ]);
  });

  test('an active cancer is not history, nor is a refuted one', () => {
    const active = condition('malignant-neoplasm');
    const refuted = condition('spinal-neoplasm', {
      ...resolved,
      verificationStatus: { coding: [{ code: 'refuted' }] },
    });
    expect(history('cancerHistory', { conditions: [active, refuted] })).toEqual({ value: false, cites: [] });
  });
});

describe('days since spinal surgery', () => {
  test('the newest dated spinal surgery, in whole days, citing it', () => {
    const newest = procedure('spinal-surgery-procedure', { performedDateTime: daysAgo(30.5) });
    const procedures = [
      procedure('spinal-surgery-procedure', { performedDateTime: daysAgo(400) }),
      procedure('spinal-surgery-procedure'),
      newest,
    ];
    expect(history('daysSinceSpinalSurgery', { procedures })).toEqual({
      value: 30,
      cites: [
        {
          reference: `Procedure/${newest.id}`,
          text: `${codingText(codeIn('spinal-surgery-procedure'))} on ${dateDaysAgo(30.5)}`,
        },
      ],
    });
  });

  test('no dated spinal surgery is a known "none"; without the procedure list it is unknown', () => {
    expect(history('daysSinceSpinalSurgery', { procedures: [procedure('spinal-surgery-procedure')] })).toEqual({
      value: null,
      cites: [],
    });
    expect(history('daysSinceSpinalSurgery', { status: { procedures: unavailable('server error') } })).toEqual({
      value: null,
      cites: [],
      missing: 'procedure history not available: server error',
    });
  });
});

describe('spinal surgery status', () => {
  const spineSite = { bodySite: [{ coding: [codeIn('spine-body-site')] }] };
  const ankle = { bodySite: [{ coding: [{ system: 'http://snomed.info/sct', code: '344001' }] }] };
  const status = (data: Partial<RecordData>) => history('spinalSurgeryStatus', data);

  test('a post-laminectomy or spinal implant status counts', () => {
    const coded = condition('spinal-surgery-status');
    expect(status({ conditions: [coded] })).toEqual({
      value: true,
      cites: [expect.objectContaining({ reference: `Condition/${coded.id}` })],
    });
  });

  test('an arthrodesis status counts on a spinal body site, or with a spinal surgery on record', () => {
    const onSpine = condition('arthrodesis-status', spineSite);
    expect(references(status({ conditions: [onSpine] }))).toEqual([`Condition/${onSpine.id}`]);
    const unplaced = condition('arthrodesis-status');
    expect(status({ conditions: [unplaced], procedures: [procedure('spinal-surgery-procedure')] }).value).toBe(true);
  });

  test('an arthrodesis status elsewhere is not spinal; one with no body site and no spinal surgery is unknown', () => {
    expect(status({ conditions: [condition('arthrodesis-status', ankle)] })).toEqual({ value: false, cites: [] });
    const unplaced = condition('arthrodesis-status');
    const fact = status({ conditions: [unplaced] });
    expect(fact).toMatchObject({
      value: null,
      missing: 'arthrodesis status recorded without a body site or a spinal procedure',
    });
    expect(references(fact)).toEqual([`Condition/${unplaced.id}`]);
    // A spinal surgery the record cannot show (procedures unavailable) places nothing.
    const withoutProcedures = status({
      conditions: [unplaced],
      procedures: [procedure('spinal-surgery-procedure')],
      status: { procedures: unavailable('not requested') },
    });
    expect(withoutProcedures.value).toBeNull();
  });

  test('none recorded is a known "no"', () => {
    expect(status({})).toEqual({ value: false, cites: [] });
  });
});

describe('back pain after spinal surgery', () => {
  const pain = (days?: number, valueSet = 'low-back-pain') =>
    condition(valueSet, days === undefined ? {} : { onsetDateTime: daysAgo(days) });
  const surgery = (days?: number): Procedure =>
    procedure('spinal-surgery-procedure', days === undefined ? {} : { performedDateTime: daysAgo(days) });
  const after = (conditions: Condition[], procedures: Procedure[] = [], extra: Partial<RecordData> = {}) =>
    history('painAfterSpinalSurgery', { conditions, procedures, ...extra });

  test('back pain or sciatica that began after the latest dated surgery, citing the surgery then the pain', () => {
    const operation = surgery(100);
    const sciatica = pain(20, 'radicular-pain');
    const fact = after([pain(200), sciatica], [surgery(300), operation]);
    expect(fact.value).toBe(true);
    expect(references(fact)).toEqual([`Procedure/${operation.id}`, `Condition/${sciatica.id}`]);
  });

  test('pain that began before the latest surgery, or on the same day, or undated does not', () => {
    expect(after([pain(200)], [surgery(300), surgery(100)])).toEqual({ value: false, cites: [] });
    const olderStatus = condition('spinal-surgery-status', { onsetDateTime: daysAgo(300) });
    expect(after([pain(200), olderStatus], [surgery(100)])).toEqual({ value: false, cites: [] });
    expect(after([pain(100)], [surgery(100)]).value).toBe(false);
    expect(after([pain()], [surgery(100)]).value).toBe(false);
  });

  test('a dated spinal surgery status counts as the surgery', () => {
    const status = condition('spinal-surgery-status', { onsetDateTime: daysAgo(50) });
    const newPain = pain(10);
    expect(references(after([newPain, status]))).toEqual([`Condition/${status.id}`, `Condition/${newPain.id}`]);
  });

  test('an undated surgery status cannot tell: unknown, citing it', () => {
    const undated = condition('spinal-surgery-status');
    const fact = after([pain(10), undated]);
    expect(fact).toMatchObject({
      value: null,
      missing: 'a spinal surgery status has no date: whether the pain began after the surgery cannot be told',
    });
    expect(references(fact)).toEqual([`Condition/${undated.id}`]);
    expect(after([pain(10), undated], [surgery(50)]).value).toBe(true);
  });

  test('no back pain is "no" whatever the surgery; without procedures and no status it is unknown', () => {
    expect(after([], [surgery(50)])).toEqual({ value: false, cites: [] });
    expect(after([condition('spinal-surgery-status')])).toEqual({ value: false, cites: [] });
    expect(after([pain(10)], [], { status: { procedures: unavailable('timed out') } })).toEqual({
      value: null,
      cites: [],
      missing: 'procedure history not available: timed out',
    });
    // The procedure list is not read when it is unavailable.
    expect(after([pain(10)], [surgery(50)], { status: { procedures: unavailable('timed out') } }).value).toBeNull();
  });
});

describe('drug use: anticoagulant, antiplatelet, benzodiazepine, immunosuppression', () => {
  const use = (id: string, data: Partial<RecordData>) => history(id, data);

  test('a long-term-use code or an active prescription, each cited', () => {
    const code = condition('anticoagulant-condition');
    const prescription = medicationRequest('anticoagulant-medication', { authoredOn: '2026-10-01' });
    const fact = use('anticoagulant', { conditions: [code], medications: [prescription] });
    expect(fact.value).toBe(true);
    expect(fact.cites).toEqual([
      expect.objectContaining({ reference: `Condition/${code.id}` }),
      {
        reference: `MedicationRequest/${prescription.id}`,
        text: `${codingText(codeIn('anticoagulant-medication'))}, active since 2026-10-01`,
      },
    ]);
    expect(use('antiplatelet', { conditions: [condition('antiplatelet-condition')] }).value).toBe(true);
    expect(use('antiplatelet', { medications: [medicationRequest('antiplatelet-medication')] }).value).toBe(true);
    expect(use('benzodiazepine', { medications: [medicationRequest('benzodiazepine-medication')] }).value).toBe(true);
    expect(use('immunosuppression', { conditions: [condition('immunosuppression-condition')] }).value).toBe(true);
    const immunosuppressant = medicationRequest('immunosuppressant-medication');
    expect(use('immunosuppression', { medications: [immunosuppressant] }).value).toBe(true);
  });

  test('a stopped prescription does not count; none at all is a known "no"', () => {
    const stopped = medicationRequest('anticoagulant-medication', { status: 'stopped' });
    expect(use('anticoagulant', { medications: [stopped] })).toEqual({ value: false, cites: [] });
  });

  test('without the medication list, "none" cannot be said; a coded long-term use still counts', () => {
    const status = { medications: unavailable('medications were not requested') };
    expect(use('anticoagulant', { status })).toEqual({
      value: null,
      cites: [],
      missing: 'medication list not available: medications were not requested',
    });
    const prescription = medicationRequest('anticoagulant-medication');
    expect(use('anticoagulant', { status, medications: [prescription] }).value).toBeNull();
    expect(use('anticoagulant', { status, conditions: [condition('anticoagulant-condition')] }).value).toBe(true);
  });

  test('an active prescription whose medication was not sent makes the answer unknown, citing it', () => {
    const unresolved = (extra: Partial<MedicationRequest>) =>
      medicationRequest('anticoagulant-medication', {
        medicationCodeableConcept: undefined,
        medicationReference: { reference: 'Medication/123' },
        ...extra,
      });
    const named = unresolved({ medicationReference: { reference: 'Medication/1', display: 'Warfarin 5 mg' } });
    const unnamed = unresolved({});
    const withoutId = unresolved({ id: undefined });
    const fact = use('benzodiazepine', { medications: [named, unnamed, withoutId] });
    expect(fact).toEqual({
      value: null,
      missing: '3 active prescription(s) name their medication only by a reference that was not sent with them',
      cites: [
        { reference: `MedicationRequest/${named.id}`, text: 'Warfarin 5 mg' },
        { reference: `MedicationRequest/${unnamed.id}`, text: 'medication not resolved' },
      ],
    });
    // A prescription of the drug class found beside them answers the question.
    const found = use('benzodiazepine', { medications: [named, medicationRequest('benzodiazepine-medication')] });
    expect(found.value).toBe(true);
  });
});
