import type { Condition } from '@medplum/fhirtypes';
import { codingsOf } from '../../fhir/terminology';
import { citeCondition, isoDate } from '../citations';
import { known } from '../computed-fact';
import { isActiveCondition, isNotErroneous, isRecordedAsCurrent } from '../status-rules';
import { parseTime } from '../fhir-time';
import { type Match } from '../code-index';
import { type PatientRecord } from '../patient-record';
import type { FactDefinition } from './definition';

const endDate = (condition: Condition) =>
  isoDate(parseTime(condition.abatementDateTime ?? condition.abatementPeriod?.end ?? condition.abatementPeriod?.start));

/**
 * Conditions the rules would read (coded in one of the ValueSets) whose record claims they are current although their
 * abatement is past. They count as ended, as the abatement says (the Synthea STU3 export records every condition
 * "active"); the card this fact raises tells the clinician, whose problem list may show them as current.
 */
function endedButRecordedCurrent(record: PatientRecord): Match<Condition>[] {
  return record.data.conditions.flatMap((resource) => {
    const claimsCurrent = isRecordedAsCurrent(resource) && isNotErroneous(resource);
    if (!claimsCurrent || isActiveCondition(resource, record.now)) return [];
    const coding = codingsOf(resource.code).find((candidate) => record.terminology.valueSetsOf(candidate).length > 0);
    return coding ? [{ resource, coding }] : [];
  });
}

export const recordedStatusFacts: FactDefinition[] = [
  {
    id: 'endedConditionsRecordedActive',
    label: 'Conditions recorded as current whose end (abatement) date has passed',
    type: 'number',
    compute: (record) => {
      const matches = endedButRecordedCurrent(record);
      return known(
        matches.length,
        matches.map((match) => {
          const cite = citeCondition(match);
          const ended = endDate(match.resource);
          return ended ? { ...cite, text: `${cite.text}, ended ${ended}` } : cite;
        }),
      );
    },
  },
];
