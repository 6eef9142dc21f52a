import { citeCondition, citeMedication, citeProcedure } from '../citations';
import { known, notKnown, type Fact } from '../computed-fact';
import { isActiveCondition } from '../status-rules';
import { onsetTime, procedureTime } from '../fhir-time';
import { type PatientRecord } from '../patient-record';
import { uniqueCitations, type FactDefinition } from './definition';

/**
 * A fact about the past: a personal-history code, or a cancer whose Condition is no longer active (inactive, in
 * remission, resolved or abated). An active cancer is a fact about the present (activeMalignancy), not history.
 */
function cancerHistory(record: PatientRecord): Fact {
  const past = [...record.anyConditions('malignant-neoplasm'), ...record.anyConditions('spinal-neoplasm')].filter(
    (match) => !isActiveCondition(match.resource, record.now),
  );
  const matches = [...record.anyConditions('history-of-cancer'), ...past];
  return known(matches.length > 0, uniqueCitations(matches.map(citeCondition)));
}

function daysSinceSpinalSurgery(record: PatientRecord): Fact {
  if (!record.isAvailable('procedures')) {
    return notKnown(`procedure history not available: ${record.unavailableReason('procedures')}`);
  }
  const newest = record
    .procedures('spinal-surgery-procedure')
    .find((match) => procedureTime(match.resource) !== undefined);
  return newest
    ? known(record.daysSince(procedureTime(newest.resource) as number), [citeProcedure(newest)])
    : known(null);
}

/**
 * Back pain after spine surgery: a back pain episode that began after the latest spinal surgery, or a coded
 * post-laminectomy / fusion status together with active back pain.
 */
function painAfterSpinalSurgery(record: PatientRecord): Fact {
  const backPain = record.activeConditions('low-back-pain').concat(record.activeConditions('radicular-pain'));
  if (backPain.length === 0) return known(false);
  const status = record.activeConditions('spinal-surgery-status');
  if (status.length > 0) return known(true, [...status.map(citeCondition), ...backPain.map(citeCondition)]);
  if (!record.isAvailable('procedures'))
    return notKnown(`procedure history not available: ${record.unavailableReason('procedures')}`);
  const surgery = record
    .procedures('spinal-surgery-procedure')
    .find((match) => procedureTime(match.resource) !== undefined);
  if (!surgery) return known(false);
  const surgeryTime = procedureTime(surgery.resource) as number;
  const after = backPain.filter((match) => (onsetTime(match.resource) ?? Number.NEGATIVE_INFINITY) > surgeryTime);
  return known(after.length > 0, after.length > 0 ? [citeProcedure(surgery), ...after.map(citeCondition)] : []);
}

/**
 * Use of a drug class from a coded long-term-use condition or an active prescription. Without the medication list,
 * or with prescriptions whose medication was not sent, "none" cannot be said: the fact is unknown.
 */
export function medicationUse(conditionValueSets: readonly string[], medicationValueSets: readonly string[]) {
  return (record: PatientRecord): Fact => {
    const conditions = conditionValueSets.flatMap((valueSet) => record.activeConditions(valueSet).map(citeCondition));
    const medications = record.isAvailable('medications')
      ? medicationValueSets.flatMap((valueSet) => record.activeMedications(valueSet).map(citeMedication))
      : [];
    const cites = uniqueCitations([...conditions, ...medications]);
    if (cites.length > 0) return known(true, cites);
    if (!record.isAvailable('medications'))
      return notKnown(`medication list not available: ${record.unavailableReason('medications')}`);
    const unresolved = record.unresolvedMedications();
    if (unresolved.length > 0) {
      return notKnown(
        `${unresolved.length} active prescription(s) name their medication only by a reference that was not sent with them`,
        unresolved.flatMap((request) =>
          request.id
            ? [
                {
                  reference: `MedicationRequest/${request.id}`,
                  text: request.medicationReference?.display ?? 'medication not resolved',
                },
              ]
            : [],
        ),
      );
    }
    return known(false);
  };
}

export const historyFacts: FactDefinition[] = [
  {
    id: 'cancerHistory',
    label: 'History of cancer (personal-history code, or a cancer now inactive, in remission or resolved)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: cancerHistory,
  },
  {
    id: 'daysSinceSpinalSurgery',
    label: 'Days since the most recent spinal surgery',
    type: 'number',
    unit: 'days',
    absentText: 'no spinal surgery recorded',
    compute: daysSinceSpinalSurgery,
  },
  {
    id: 'painAfterSpinalSurgery',
    label: 'Back pain that began after spinal surgery (or post-laminectomy / fusion status)',
    type: 'boolean',
    absentText: 'no',
    compute: painAfterSpinalSurgery,
  },
  {
    id: 'anticoagulant',
    label: 'Anticoagulant use',
    type: 'boolean',
    absentText: 'none recorded',
    compute: medicationUse(['anticoagulant-condition'], ['anticoagulant-medication']),
  },
  {
    id: 'antiplatelet',
    label: 'Antiplatelet use',
    type: 'boolean',
    absentText: 'none recorded',
    compute: medicationUse(['antiplatelet-condition'], ['antiplatelet-medication']),
  },
  {
    id: 'benzodiazepine',
    label: 'Benzodiazepine use (active prescription)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: medicationUse([], ['benzodiazepine-medication']),
  },
  {
    id: 'immunosuppression',
    label:
      'Immunosuppression (HIV or other immunodeficiency, transplant, long-term steroids, immunosuppressant prescription)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: medicationUse(['immunosuppression-condition'], ['immunosuppressant-medication']),
  },
];
