import type { CodeableConcept, Coding, ValueSet } from '@medplum/fhirtypes';
import { ICD_10_CM, normaliseIcd10CmCode, readValueSets } from './valueset-loader';

export { TerminologyLoadError, type TerminologyProblem } from './valueset-loader';

/** ValueSet membership, indexed once at start-up. ValueSets are named by id (`low-back-pain`) or canonical url. */
export interface Terminology {
  has(valueSet: string): boolean;
  /** The first coding (in the patient data's order) that belongs to the ValueSet, returned as the data had it. */
  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined;
  /** Ids of all loaded ValueSets, sorted. */
  valueSetIds(): string[];
  get(valueSet: string): ValueSet | undefined;
  /** The explicitly listed codes of a ValueSet (not its ICD-10-CM families), e.g. for prefetch queries. */
  codesOf(valueSet: string): Coding[];
  /** The first listed code: what the service writes into orders it suggests. */
  firstCoding(valueSet: string): Coding | undefined;
}

/** A rule or fact asked for a ValueSet that is not loaded: a configuration error, not a clinical "no". */
export class UnknownValueSetError extends Error {
  constructor(valueSet: string) {
    super(`unknown ValueSet '${valueSet}': no file in the ValueSet folder has this id or url`);
    this.name = 'UnknownValueSetError';
  }
}

export interface LoadTerminologyOptions {
  /** Folder of local CodeSystems; when given, codes taken from them must exist there. */
  codeSystemDir?: string;
}

/** Reads, validates and indexes every ValueSet in `valueSetDir`; throws TerminologyLoadError listing every problem. */
export function loadTerminology(valueSetDir: string, options: LoadTerminologyOptions = {}): Terminology {
  return indexValueSets(readValueSets(valueSetDir, options.codeSystemDir));
}

/** Indexes already validated ValueSets (what loadTerminology does after reading the files); freezes them. */
export function indexValueSets(valueSets: ValueSet[]): Terminology {
  const byIdOrUrl = new Map<string, IndexedValueSet>();
  for (const valueSet of valueSets) {
    const indexed = indexValueSet(valueSet);
    byIdOrUrl.set(valueSet.id as string, indexed);
    byIdOrUrl.set(valueSet.url as string, indexed);
  }
  const ids = valueSets.map((valueSet) => valueSet.id as string).sort();
  return new IndexedTerminology(byIdOrUrl, ids);
}

const SYSTEM_BY_OID: ReadonlyMap<string, string> = new Map([
  ['2.16.840.1.113883.6.96', 'http://snomed.info/sct'],
  ['2.16.840.1.113883.6.90', ICD_10_CM],
  ['2.16.840.1.113883.6.1', 'http://loinc.org'],
  ['2.16.840.1.113883.6.88', 'http://www.nlm.nih.gov/research/umls/rxnorm'],
  ['2.16.840.1.113883.6.12', 'http://www.ama-assn.org/go/cpt'],
  ['2.16.840.1.113883.6.285', 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets'],
]);

/** The canonical URI of a code system sent as an OID (with or without `urn:oid:`), with a trailing slash or spaces. */
function normaliseSystem(system: string): string {
  const trimmed = system.trim().replace(/\/+$/, '');
  return SYSTEM_BY_OID.get(trimmed.replace(/^urn:oid:/i, '')) ?? trimmed;
}

/** ICD-10-CM codes compare upper-case without the dot; every other system compares exactly after trimming. */
function normaliseCode(canonicalSystem: string, code: string): string {
  return canonicalSystem === ICD_10_CM ? normaliseIcd10CmCode(code) : code.trim();
}

interface IndexedValueSet {
  valueSet: ValueSet;
  codesBySystem: Map<string, Set<string>>;
  /** Normalised ICD-10-CM codes whose whole family (the code and every longer code it prefixes) is included. */
  icd10CmFamilies: Set<string>;
}

class IndexedTerminology implements Terminology {
  constructor(
    private readonly byIdOrUrl: ReadonlyMap<string, IndexedValueSet>,
    private readonly ids: readonly string[],
  ) {}

  has(valueSet: string): boolean {
    return this.byIdOrUrl.has(valueSet);
  }

  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined {
    const indexed = this.byIdOrUrl.get(valueSet);
    if (indexed === undefined) throw new UnknownValueSetError(valueSet);
    // Codings come from request JSON that no schema has checked: anything that is not an array of objects matches nothing.
    const codings: unknown = Array.isArray(concept) ? concept : concept?.coding;
    if (!Array.isArray(codings)) return undefined;
    return codings.find((coding): coding is Coding => typeof coding === 'object' && coding !== null && isMember(indexed, coding));
  }

  valueSetIds(): string[] {
    return [...this.ids];
  }

  get(valueSet: string): ValueSet | undefined {
    return this.byIdOrUrl.get(valueSet)?.valueSet;
  }

  codesOf(valueSet: string): Coding[] {
    const indexed = this.byIdOrUrl.get(valueSet);
    if (indexed === undefined) throw new UnknownValueSetError(valueSet);
    return (indexed.valueSet.compose?.include ?? []).flatMap((include) =>
      (include.concept ?? []).map((concept) => ({ system: include.system, code: concept.code, display: concept.display })),
    );
  }

  firstCoding(valueSet: string): Coding | undefined {
    return this.codesOf(valueSet)[0];
  }
}

function indexValueSet(valueSet: ValueSet): IndexedValueSet {
  const indexed: IndexedValueSet = {
    valueSet: deepFreeze(valueSet),
    codesBySystem: new Map(),
    icd10CmFamilies: new Set(),
  };
  for (const include of valueSet.compose?.include ?? []) {
    const system = normaliseSystem(include.system as string);
    for (const filter of include.filter ?? []) indexed.icd10CmFamilies.add(normaliseIcd10CmCode(filter.value));
    for (const concept of include.concept ?? []) codesOf(indexed, system).add(normaliseCode(system, concept.code));
  }
  return indexed;
}

function codesOf(indexed: IndexedValueSet, system: string): Set<string> {
  let codes = indexed.codesBySystem.get(system);
  if (codes === undefined) {
    codes = new Set();
    indexed.codesBySystem.set(system, codes);
  }
  return codes;
}

function isMember(indexed: IndexedValueSet, coding: Coding): boolean {
  if (!hasText(coding.system) || !hasText(coding.code)) return false;
  const system = normaliseSystem(coding.system);
  const code = normaliseCode(system, coding.code);
  if (indexed.codesBySystem.get(system)?.has(code)) return true;
  return system === ICD_10_CM && isInIcd10CmFamily(indexed.icd10CmFamilies, code);
}

// In ICD-10-CM a code's descendants are exactly the longer codes it prefixes, so is-a is a lookup of each prefix
// (categories have 3 characters, so at most 5 lookups).
function isInIcd10CmFamily(families: Set<string>, code: string): boolean {
  for (let length = code.length; length >= 3; length--) {
    if (families.has(code.slice(0, length))) return true;
  }
  return false;
}

function hasText(value: string | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

// The index is built from the ValueSet; a caller editing the object returned by get() must not be able to make the
// catalogue say something different from what match() does.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
