import { deepFreeze } from '../deep-freeze';
import type { RuleSet } from '../rules/load-rule-set';
import type { DataRequirement } from './data-requirement';
import type { ServiceDefinition } from './types';

/** What the prefetch depends on: the ValueSets, and the facts the rule set computes (a RuleSet is one). */
export type PrefetchSource = Pick<RuleSet, 'terminology' | 'facts'>;

// Both are asked for on every hook call: built once per loaded rule set (a reload brings a new one), frozen because
// every request shares them.
const requirementsCache = new WeakMap<PrefetchSource, readonly DataRequirement[]>();
const definitionsCache = new WeakMap<PrefetchSource, readonly ServiceDefinition[]>();

/** Data every service reads. Only Patient and Conditions are indispensable; the rest degrade to "not checked". */
export function dataRequirements(source: PrefetchSource): readonly DataRequirement[] {
  let requirements = requirementsCache.get(source);
  if (requirements === undefined) {
    requirements = deepFreeze(buildDataRequirements(source));
    requirementsCache.set(source, requirements);
  }
  return requirements;
}

function buildDataRequirements({ terminology, facts }: PrefetchSource): DataRequirement[] {
  // The codes of every ValueSet a fact (built-in or declared in rules/facts.json) reads Observations from.
  const observationCodes = [...facts.values()]
    .flatMap((fact) => fact.observationValueSets ?? [])
    .flatMap((valueSet) => terminology.codesOf(valueSet))
    .map((coding) => `${coding.system}|${coding.code}`);
  return [
    { key: 'patient', template: 'Patient/{{context.patientId}}', resourceType: 'Patient', required: true },
    {
      key: 'conditions',
      template: 'Condition?patient={{context.patientId}}',
      resourceType: 'Condition',
      required: true,
    },
    {
      key: 'observations',
      template: `Observation?patient={{context.patientId}}&code=${[...new Set(observationCodes)].join(',')}`,
      resourceType: 'Observation',
      required: false,
    },
    {
      key: 'procedures',
      template: 'Procedure?patient={{context.patientId}}',
      resourceType: 'Procedure',
      required: false,
    },
    {
      key: 'medications',
      template: 'MedicationRequest?patient={{context.patientId}}&status=active,on-hold',
      resourceType: 'MedicationRequest',
      required: false,
    },
  ];
}

const USAGE =
  'Reads Patient, Condition, Observation, Procedure and MedicationRequest for the patient in context. Prefetch ' +
  'them, or send fhirServer with fhirAuthorization (scope patient/*.read or user/*.read) so the service can fetch ' +
  'what is missing. Answers 412 when the Patient or Condition data can be neither prefetched nor fetched.';

const SERVICES: ReadonlyArray<Omit<ServiceDefinition, 'prefetch' | 'usageRequirements'>> = [
  {
    id: 'spine-patient-view',
    hook: 'patient-view',
    title: 'Low back pain pathway',
    description:
      'Red flags, contraindications and the next step on the stepped low back pain pathway (self-care, ' +
      'physiotherapy, injection, surgical referral; non-surgical decompression is discussed, never recommended), ' +
      'each with its evidence and the patient data behind it.',
  },
  {
    id: 'spine-order-select',
    hook: 'order-select',
    title: 'Low back pain order check (select)',
    description:
      'Checks selected orders for traction or decompression, inversion therapy, epidural injection, physiotherapy, ' +
      'spine surgery referral and lumbar MRI against red flags, contraindications and the pathway step, and ' +
      'selected medication orders (MedicationRequest drafts: opioids, gabapentinoids, antiepileptics, ' +
      'antidepressants, benzodiazepines, oral steroids, paracetamol, NSAIDs) against back pain prescribing guidance.',
  },
  {
    id: 'spine-order-sign',
    hook: 'order-sign',
    title: 'Low back pain order check (sign)',
    description:
      'Checks the orders about to be signed for traction or decompression, inversion therapy, epidural injection, ' +
      'physiotherapy, spine surgery referral and lumbar MRI against red flags, contraindications and the pathway ' +
      'step, and the medication orders (MedicationRequest drafts: opioids, gabapentinoids, antiepileptics, ' +
      'antidepressants, benzodiazepines, oral steroids, paracetamol, NSAIDs) against back pain prescribing guidance.',
  },
];

export function serviceDefinitions(source: PrefetchSource): readonly ServiceDefinition[] {
  let definitions = definitionsCache.get(source);
  if (definitions === undefined) {
    const prefetch = Object.fromEntries(dataRequirements(source).map((r) => [r.key, r.template]));
    definitions = deepFreeze(SERVICES.map((service) => ({ ...service, prefetch, usageRequirements: USAGE })));
    definitionsCache.set(source, definitions);
  }
  return definitions;
}
