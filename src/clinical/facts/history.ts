import { citeCondition, citeMedication, citeProcedure } from '../citations';
import { known, notKnown, type Fact } from '../fact';
import { onsetTime, procedureTime, type PatientRecord } from '../patient-record';
import { uniqueCitations, type FactDefinition } from './definition';

function cancerHistory(record: PatientRecord): Fact {
  const matches = [...record.anyConditions('history-of-cancer'), ...record.anyConditions('spinal-neoplasm')];
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

/** Anticoagulation from a coded long-term-use condition or an active prescription. */
function anticoagulant(record: PatientRecord): Fact {
  const conditions = record.activeConditions('anticoagulant-condition').map(citeCondition);
  const medications = record.isAvailable('medications')
    ? record.activeMedications('anticoagulant-medication').map(citeMedication)
    : [];
  const cites = [...conditions, ...medications];
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
}

export const historyFacts: FactDefinition[] = [
  {
    id: 'cancerHistory',
    label: 'History of cancer',
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
    compute: anticoagulant,
  },
];
