import type { CodeableConcept, Coding, ValueSet } from '@medplum/fhirtypes';
import { deepFreeze } from '../deep-freeze';
import { ICD_10_CM, normaliseIcd10CmCode, readValueSets } from './valueset-loader';

export { TerminologyLoadError, type TerminologyProblem } from './valueset-loader';

/** ValueSet membership, indexed once at start-up. ValueSets are named by id (`low-back-pain`) or canonical url. */
export interface Terminology {
  has(valueSet: string): boolean;
  /** The first coding (in the patient data's order) that belongs to the ValueSet, returned as the data had it. */
  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined;
  /**
   * Ids of every ValueSet the coding belongs to (none for anything that is not a coding): the coding is normalised
   * once and looked up in an index of all ValueSets, so asking about every ValueSet costs what asking about one does.
   */
  valueSetsOf(coding: Coding): readonly string[];
  /** The id of a ValueSet named by id or canonical url; undefined when no such ValueSet is loaded. */
  idOf(valueSet: string): string | undefined;
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
function indexValueSets(valueSets: ValueSet[]): Terminology {
  const byIdOrUrl = new Map<string, ValueSet>();
  const members = new MembershipIndex();
  for (const valueSet of valueSets) {
    // The index is built from the ValueSet; a caller editing the object returned by get() must not be able to make
    // the catalogue say something different from what match() does.
    deepFreeze(valueSet);
    byIdOrUrl.set(valueSet.id as string, valueSet);
    byIdOrUrl.set(valueSet.url as string, valueSet);
    members.add(valueSet);
  }
  const ids = valueSets.map((valueSet) => valueSet.id as string).sort();
  return new IndexedTerminology(byIdOrUrl, ids, members);
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
  // Stryker disable next-line Regex: the rest is looked up whole, so a "urn:oid:" cut from the middle leaves no OID
  return SYSTEM_BY_OID.get(trimmed.replace(/^urn:oid:/i, '')) ?? trimmed;
}

/** ICD-10-CM codes compare upper-case without the dot; every other system compares exactly after trimming. */
function normaliseCode(canonicalSystem: string, code: string): string {
  return canonicalSystem === ICD_10_CM ? normaliseIcd10CmCode(code) : code.trim();
}

class IndexedTerminology implements Terminology {
  constructor(
    private readonly byIdOrUrl: ReadonlyMap<string, ValueSet>,
    private readonly ids: readonly string[],
    private readonly members: MembershipIndex,
  ) {}

  has(valueSet: string): boolean {
    return this.byIdOrUrl.has(valueSet);
  }

  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined {
    const id = this.idOf(valueSet);
    if (id === undefined) throw new UnknownValueSetError(valueSet);
    return codingsOf(concept).find((coding) => this.members.valueSetsOf(coding).includes(id));
  }

  valueSetsOf(coding: Coding): readonly string[] {
    return this.members.valueSetsOf(coding);
  }

  idOf(valueSet: string): string | undefined {
    return this.byIdOrUrl.get(valueSet)?.id;
  }

  valueSetIds(): string[] {
    return [...this.ids];
  }

  get(valueSet: string): ValueSet | undefined {
    return this.byIdOrUrl.get(valueSet);
  }

  codesOf(valueSet: string): Coding[] {
    const found = this.byIdOrUrl.get(valueSet);
    if (found === undefined) throw new UnknownValueSetError(valueSet);
    return (found.compose?.include ?? []).flatMap((include) =>
      (include.concept ?? []).map((concept) => ({
        system: include.system,
        code: concept.code,
        display: concept.display,
      })),
    );
  }

  firstCoding(valueSet: string): Coding | undefined {
    return this.codesOf(valueSet)[0];
  }
}

const NO_VALUESETS: readonly string[] = Object.freeze([]);

/**
 * The codings of a CodeableConcept (or a coding list), as the data has them. Request JSON has not been checked
 * against a schema: a `coding` that is not an array has no codings.
 */
export function codingsOf(concept: CodeableConcept | Coding[] | undefined): Coding[] {
  const codings: unknown = Array.isArray(concept) ? concept : concept?.coding;
  return Array.isArray(codings) ? codings : [];
}

/**
 * Which ValueSets hold a code, for every ValueSet at once (an inverted index): normalised system → normalised code →
 * ValueSet ids, plus the ICD-10-CM families (code prefix → ValueSet ids) that include a code and all its descendants.
 */
class MembershipIndex {
  private readonly codes = new Map<string, Map<string, string[]>>();
  private readonly icd10CmFamilies = new Map<string, string[]>();

  add(valueSet: ValueSet): void {
    const id = valueSet.id as string;
    for (const include of valueSet.compose?.include ?? []) {
      const system = normaliseSystem(include.system as string);
      for (const filter of include.filter ?? []) addTo(this.icd10CmFamilies, normaliseIcd10CmCode(filter.value), id);
      for (const concept of include.concept ?? [])
        addTo(codesOfSystem(this.codes, system), normaliseCode(system, concept.code), id);
    }
  }

  valueSetsOf(coding: Coding): readonly string[] {
    // Codings come from request JSON that no schema has checked: null, a string or a number has no system or code.
    // A blank system or code needs no test of its own: trimmed, it is in no ValueSet (the loader refuses blank codes).
    if (!isString(coding?.system) || !isString(coding.code)) return NO_VALUESETS;
    const system = normaliseSystem(coding.system);
    const code = normaliseCode(system, coding.code);
    const listed = this.codes.get(system)?.get(code) ?? NO_VALUESETS;
    return system === ICD_10_CM ? this.withIcd10CmFamilies(listed, code) : listed;
  }

  // In ICD-10-CM a code's descendants are exactly the longer codes it prefixes, so is-a is a lookup of each prefix
  // (categories have 3 characters, so at most 5 lookups).
  private withIcd10CmFamilies(listed: readonly string[], code: string): readonly string[] {
    let ids = listed;
    for (let length = code.length; length >= 3; length--) {
      const families = this.icd10CmFamilies.get(code.slice(0, length));
      if (families) ids = [...new Set([...ids, ...families])];
    }
    return ids;
  }
}

function addTo(index: Map<string, string[]>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

function codesOfSystem(codes: Map<string, Map<string, string[]>>, system: string): Map<string, string[]> {
  let bySystem = codes.get(system);
  if (bySystem === undefined) {
    bySystem = new Map();
    codes.set(system, bySystem);
  }
  return bySystem;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
