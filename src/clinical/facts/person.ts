import type { CodeableConcept, Observation } from '@medplum/fhirtypes';
import { citeCondition, citeObservation, reference } from '../citations';
import { known, notKnown, type Citation, type Fact } from '../computed-fact';
import { effectiveTime, parseTime } from '../fhir-time';
import { type Match } from '../code-index';
import { type PatientRecord } from '../patient-record';
import { numberParameter, type FactContext, type FactDefinition } from './definition';

function patientCitation(record: PatientRecord, text: string): Citation[] {
  const patient = record.data.patient;
  const ref = patient ? reference(patient) : undefined;
  return [ref ? { reference: ref, text } : { text }];
}

function ageInYears(record: PatientRecord): number | undefined {
  const birth = parseTime(record.data.patient?.birthDate);
  if (birth === undefined) return undefined;
  const born = new Date(birth);
  const now = record.now;
  const hadBirthday =
    now.getUTCMonth() > born.getUTCMonth() ||
    (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() >= born.getUTCDate());
  return now.getUTCFullYear() - born.getUTCFullYear() - (hadBirthday ? 0 : 1);
}

function age(record: PatientRecord): Fact {
  const years = ageInYears(record);
  return years === undefined
    ? notKnown('birth date not recorded')
    : known(years, patientCitation(record, `born ${record.data.patient?.birthDate}`));
}

function sex(record: PatientRecord): Fact {
  const gender = record.data.patient?.gender;
  return gender
    ? known(gender, patientCitation(record, `administrative gender ${gender}`))
    : notKnown('gender not recorded');
}

/** LOINC answer codes (LL4129-4) and SNOMED findings used for pregnancy status and hCG tests. */
const POSITIVE = new Set(['LA15173-0', '77386006', '10828004']);
const NEGATIVE = new Set(['LA26683-5', '60001007', '260385009']);

function interpret(observation: Observation): boolean | undefined {
  const concept: CodeableConcept | undefined = observation.valueCodeableConcept;
  // Stryker disable next-line StringLiteral,ArrayDeclaration: a filler code is in neither set, like '' or none
  const codes = concept?.coding?.map((coding) => coding.code ?? '') ?? [];
  // Stryker disable next-line StringLiteral: a filler text is neither a positive nor a negative word, like ''
  const text = (observation.valueString ?? concept?.text ?? '').trim().toLowerCase();
  if (codes.some((code) => POSITIVE.has(code)) || text === 'positive' || text === 'pregnant') return true;
  if (codes.some((code) => NEGATIVE.has(code)) || text === 'negative' || text === 'not pregnant') return false;
  return undefined;
}

/** Observations of pregnancy status and hCG tests. */
const PREGNANCY_RESULTS = ['pregnancy-status', 'pregnancy-test'];

/** The newest interpretable pregnancy status or hCG result, whatever its age. */
function newestResult(
  record: PatientRecord,
): { match: Match<Observation>; pregnant: boolean; time: number } | undefined {
  const results = PREGNANCY_RESULTS.flatMap((valueSet) => record.observations(valueSet)).flatMap((match) => {
    const time = effectiveTime(match.resource);
    const result = interpret(match.resource);
    return time === undefined || result === undefined ? [] : [{ match, pregnant: result, time }];
  });
  return results.sort((a, b) => b.time - a.time)[0];
}

/**
 * Active pregnancy: an active pregnancy condition, else a recent pregnancy status or hCG result. A positive result
 * stays meaningful for months, a negative one only for days (a pregnancy can begin the next week), so each has its
 * own maximum age. Resolved pregnancies never count. For a person who could be pregnant and has no current
 * result, the fact is unknown.
 */
function pregnant(record: PatientRecord, context: FactContext): Fact {
  const conditions = record.activeConditions('pregnancy');
  if (conditions.length > 0) return known(true, conditions.map(citeCondition));
  const result = record.isAvailable('observations') ? newestResult(record) : undefined;
  const cites = result ? [citeObservation(result.match, result.pregnant ? 'pregnant' : 'not pregnant')] : [];
  const maxAge = numberParameter(
    context,
    result?.pregnant ? 'pregnancyPositiveMaxAgeDays' : 'pregnancyNegativeMaxAgeDays',
  );
  if (result && record.daysSince(result.time) <= maxAge) return known(result.pregnant, cites);

  const gender = record.data.patient?.gender;
  const years = ageInYears(record);
  if (gender === 'male') return known(false, patientCitation(record, 'administrative gender male'));
  const youngest = numberParameter(context, 'pregnancyPossibleMinAge');
  const oldest = numberParameter(context, 'pregnancyPossibleMaxAge');
  if (gender === 'female' && years !== undefined && (years < youngest || years > oldest)) {
    return known(
      false,
      patientCitation(
        record,
        `female, age ${years}: outside the ages this service treats as possibly pregnant (${youngest}-${oldest})`,
      ),
    );
  }
  return result
    ? notKnown(
        `the latest pregnancy result is ${record.daysSince(result.time)} days old, older than ${maxAge} days`,
        cites,
      )
    : notKnown('no pregnancy condition, status or test recorded');
}

/** Patient.deceased[x]: a boolean, or the date of death (which means deceased, whatever the date). */
function deceased(record: PatientRecord): Fact {
  const patient = record.data.patient;
  if (patient?.deceasedDateTime) return known(true, patientCitation(record, `deceased ${patient.deceasedDateTime}`));
  if (patient?.deceasedBoolean === true) return known(true, patientCitation(record, 'recorded as deceased'));
  return known(false);
}

export const personFacts: FactDefinition[] = [
  { id: 'deceased', label: 'Recorded as deceased', type: 'boolean', absentText: 'no', compute: deceased },
  { id: 'age', label: 'Age', type: 'number', unit: 'years', compute: age },
  { id: 'sex', label: 'Administrative sex', type: 'string', compute: sex },
  {
    id: 'pregnant',
    label: 'Currently pregnant',
    type: 'boolean',
    absentText: 'no',
    observationValueSets: PREGNANCY_RESULTS,
    compute: pregnant,
  },
];
