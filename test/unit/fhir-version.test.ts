import { randomUUID } from 'node:crypto';
import type { Condition, Procedure, Resource } from '@medplum/fhirtypes';
import { readAsR4 } from '../../src/cds/data-version';
import { handleHookCall } from '../../src/cds/hook-service';
import { offlineFetchSettings, type ResolvedData } from '../../src/cds/prefetch';
import { dataRequirements } from '../../src/cds/services';
import { parseHookRequest } from '../../src/cds/hook-request';
import { isActiveCondition } from '../../src/clinical/status-rules';
import { versionOfRelease } from '../../src/fhir/fhir-version';
import { stu3ToR4 } from '../../src/fhir/stu3-to-r4';
import { HttpError } from '../../src/cds/protocol/operation-outcome';
import { fullPrefetch, searchset } from '../fixtures/fhir';
import { typicalPatient } from '../fixtures/patients';
import { toStu3 } from '../support/older-fhir';
import { bundledRuleSet, TEST_NOW } from '../support/spine-service';

const subject = { reference: 'Patient/p-typical' };

describe('the version a CapabilityStatement declares', () => {
  test.each([
    ['1.0.2', 'DSTU2'],
    ['3.0.1', 'STU3'],
    ['3.0.2', 'STU3'],
    ['4.0.1', 'R4'],
    ['4.3.0', 'R4'],
    ['5.0.0', { unknown: '5.0.0' }],
    ['1.8.0', { unknown: '1.8.0' }],
  ])('%s is %j', (release, version) => {
    expect(versionOfRelease(release)).toEqual(version);
  });
});

describe('STU3 in its R4 meaning', () => {
  const stu3Condition = (extra: Record<string, unknown>) =>
    ({ resourceType: 'Condition', id: 'c', subject, code: { text: 'x' }, ...extra }) as unknown as Resource;

  test('statuses become CodeableConcepts; "unknown" verification, which R4 lacks, says nothing', () => {
    const read = stu3ToR4(stu3Condition({ clinicalStatus: 'remission', verificationStatus: 'unknown' })) as Condition;
    expect(read.clinicalStatus?.coding).toEqual([
      { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'remission' },
    ]);
    expect(read.verificationStatus).toBeUndefined();
  });

  test('assertedDate is the recorded date; the input is not modified', () => {
    const input = stu3Condition({ assertedDate: '2020-01-02' });
    const before = structuredClone(input);
    const read = stu3ToR4(input) as Condition & Record<string, unknown>;
    expect(read).toMatchObject({ recordedDate: '2020-01-02' });
    expect(read.assertedDate).toBeUndefined();
    expect(input).toEqual(before);
  });

  test('abatementBoolean true ends the condition, whatever its status', () => {
    const abated = stu3ToR4(stu3Condition({ clinicalStatus: 'active', abatementBoolean: true })) as Condition;
    expect(isActiveCondition(abated, TEST_NOW)).toBe(false);
    const ongoing = stu3ToR4(stu3Condition({ clinicalStatus: 'active', abatementBoolean: false })) as Condition;
    expect(isActiveCondition(ongoing, TEST_NOW)).toBe(true);
  });

  test.each([
    [{ status: 'suspended' }, 'on-hold'],
    [{ status: 'aborted' }, 'stopped'],
    [{ status: 'completed', notDone: true }, 'not-done'],
    [{ status: 'completed', notDone: false }, 'completed'],
  ])('Procedure %j has R4 status %s', (fields, status) => {
    const read = stu3ToR4({ resourceType: 'Procedure', subject, ...fields } as unknown as Resource) as Procedure;
    expect(read.status).toBe(status);
    expect((read as unknown as Record<string, unknown>).notDone).toBeUndefined();
  });

  test('the test helper R4 → STU3 and the service STU3 → R4 are inverse on what the facts read', () => {
    for (const resource of typicalPatient()) expect(stu3ToR4(toStu3(resource))).toEqual(resource);
  });
});

describe('deciding the version of a call', () => {
  const ruleSet = bundledRuleSet();
  const requirements = dataRequirements(ruleSet);
  const body = (prefetch: Record<string, unknown>) => ({
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/x', patientId: 'p-typical' },
    prefetch,
  });
  const statusOf = (error: unknown) => (error instanceof HttpError ? [error.status, error.problems[0]] : error);
  const r4 = fullPrefetch(typicalPatient());
  const stu3 = fullPrefetch(typicalPatient().map(toStu3));

  async function answer(prefetch: Record<string, unknown>, pinned?: 'R4' | 'STU3' | 'DSTU2') {
    const fetchSettings = { ...offlineFetchSettings('offline'), ...(pinned ? { pinnedFhirVersion: pinned } : {}) };
    try {
      return await handleHookCall('patient-view', body(prefetch), { ruleSet, fetchSettings, now: () => TEST_NOW });
    } catch (error) {
      return statusOf(error);
    }
  }

  test('a trust-file pin decides: STU3 data from a caller pinned to R4 is a 400 naming the field', async () => {
    expect(await answer(stu3, 'R4')).toEqual([
      400,
      expect.objectContaining({
        field: 'prefetch.conditions.entry[1].resource.clinicalStatus',
        message: expect.stringMatching(/contradicts fhirServer: the trust file pins FHIR R4/),
      }),
    ]);
    expect(await answer(stu3, 'STU3')).toMatchObject({ fhirVersion: { version: 'STU3', from: 'trust-file' } });
    expect(await answer(r4, 'DSTU2')).toEqual([
      400,
      expect.objectContaining({ field: 'prefetch.conditions.entry[0].resource.subject' }),
    ]);
    expect(await answer({ ...r4, conditions: searchset([]) }, 'DSTU2')).toEqual([
      412,
      expect.objectContaining({ field: 'fhirServer', problem: 'fhir-version-not-supported' }),
    ]);
  });

  test('data that does not single out a version is read as R4, by default', async () => {
    const neutral = fullPrefetch([typicalPatient()[0], typicalPatient()[1]]);
    expect(await answer(neutral)).toMatchObject({ fhirVersion: { version: 'R4', from: 'default' } });
  });

  test('a server declaring a version this service does not know (R5) is refused with 412', () => {
    const request = parseHookRequest(body({}), 'patient-view');
    const data: ResolvedData = {
      resources: { patient: [], conditions: [] },
      status: {},
      serverVersion: { version: { unknown: '5.0.0' }, release: '5.0.0' },
    };
    let thrown: unknown;
    try {
      readAsR4(request, requirements, data);
    } catch (error) {
      thrown = error;
    }
    expect(statusOf(thrown)).toEqual([
      412,
      expect.objectContaining({ field: 'fhirServer', message: expect.stringMatching(/declares FHIR 5\.0\.0/) }),
    ]);
  });
});
