import type { Condition } from '@medplum/fhirtypes';
import { citeCondition, citeMedication, citeProcedure } from '../citations';
import { known, notKnown, type Citation, type Fact } from '../computed-fact';
import { isActiveCondition } from '../status-rules';
import { onsetTime, procedureTime } from '../fhir-time';
import type { Match } from '../code-index';
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
 * Coded status after spinal surgery: post-laminectomy syndrome, or an arthrodesis status (Z98.1, a fusion of any
 * joint) placed on the spine by its body site or by a spinal surgery procedure on record. An arthrodesis status with
 * no body site at all cannot be placed (`unplaced`); one whose body site is elsewhere (an ankle) is not spinal.
 */
function spinalStatus(record: PatientRecord): { spinal: Match<Condition>[]; unplaced: Match<Condition>[] } {
  const spinalProcedure = record.isAvailable('procedures') && record.procedures('spinal-surgery-procedure').length > 0;
  const arthrodesis = record.activeConditions('arthrodesis-status');
  const onSpine = (match: Match<Condition>) =>
    spinalProcedure ||
    (match.resource.bodySite ?? []).some((site) => record.terminology.match(site, 'spine-body-site'));
  return {
    spinal: [...record.activeConditions('spinal-surgery-status'), ...arthrodesis.filter(onSpine)],
    unplaced: arthrodesis.filter((match) => !onSpine(match) && (match.resource.bodySite ?? []).length === 0),
  };
}

function spinalSurgeryStatus(record: PatientRecord): Fact {
  const { spinal, unplaced } = spinalStatus(record);
  if (spinal.length > 0) return known(true, uniqueCitations(spinal.map(citeCondition)));
  return unplaced.length > 0
    ? notKnown('arthrodesis status recorded without a body site or a spinal procedure', unplaced.map(citeCondition))
    : known(false);
}

/**
 * Back pain after spine surgery (ACR variant 5: new or progressing symptoms): a back pain code whose onset follows
 * the latest dated spinal surgery, a procedure or a spinal surgery status. A status without a date cannot show that
 * the pain began after it: unknown.
 */
function painAfterSpinalSurgery(record: PatientRecord): Fact {
  const backPain = record.activeConditions('low-back-pain').concat(record.activeConditions('radicular-pain'));
  if (backPain.length === 0) return known(false);
  const statuses = spinalStatus(record).spinal;
  const procedures = record.isAvailable('procedures') ? record.procedures('spinal-surgery-procedure') : [];
  const surgeries = [
    ...statuses.map((match) => ({ time: onsetTime(match.resource), cite: citeCondition(match) })),
    ...procedures.map((match) => ({ time: procedureTime(match.resource), cite: citeProcedure(match) })),
  ];
  const latest = surgeries
    .filter((surgery): surgery is { time: number; cite: Citation } => surgery.time !== undefined)
    .sort((a, b) => b.time - a.time)[0];
  const after = latest
    ? backPain.filter((match) => (onsetTime(match.resource) ?? Number.NEGATIVE_INFINITY) > latest.time)
    : [];
  if (latest && after.length > 0) return known(true, [latest.cite, ...after.map(citeCondition)]);
  const undated = surgeries.filter((surgery) => surgery.time === undefined);
  if (undated.length > 0)
    return notKnown(
      'a spinal surgery status has no date: whether the pain began after the surgery cannot be told',
      undated.map((surgery) => surgery.cite),
    );
  if (!record.isAvailable('procedures'))
    return notKnown(`procedure history not available: ${record.unavailableReason('procedures')}`);
  return known(false);
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
        `${unresolved.length} active prescription(s) name their medication only by a reference` +
          ' that was not sent with them',
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
    id: 'spinalSurgeryStatus',
    label: 'Spinal implant, fusion or post-laminectomy status (arthrodesis status only with a spinal site)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: spinalSurgeryStatus,
  },
  {
    id: 'painAfterSpinalSurgery',
    label: 'Back pain that began after spinal surgery (a procedure or a dated spinal surgery status)',
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
      'Immunosuppression (HIV or other immunodeficiency, transplant, long-term steroids,' +
      ' immunosuppressant prescription)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: medicationUse(['immunosuppression-condition'], ['immunosuppressant-medication']),
  },
];
