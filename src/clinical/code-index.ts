import type { CodeableConcept, Coding, Resource } from '@medplum/fhirtypes';
import { codingsOf } from '../fhir/terminology';

/** The terminology operations the clinical layer needs (implemented by src/fhir/terminology). */
export interface CodeMatcher {
  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined;
  /** Ids of every ValueSet the coding belongs to. */
  valueSetsOf(coding: Coding): readonly string[];
  /** The id of a ValueSet named by id or canonical url; undefined when it is not loaded. */
  idOf(valueSet: string): string | undefined;
}

/** A coded resource found in a ValueSet, with the coding that matched (for citing). */
export interface Match<T extends Resource> {
  resource: T;
  coding: Coding;
}

/**
 * Where the codes of one kind of coded element (a resource's code, or an observation's components) fall: per
 * ValueSet id, the first matching coding of each element, in data order.
 */
export class CodeIndex<T extends Resource, E extends Match<T>> {
  private readonly byValueSet = new Map<string, E[]>();
  /**
   * Resources whose coded elements could not be read at all (a component list that is not a list of objects):
   * every question that would have compared them fails, so the facts that need them become unknown.
   */
  private readonly failures: Array<{ resource: T; error: unknown }> = [];

  constructor(private readonly terminology: CodeMatcher) {}

  add(concept: CodeableConcept | undefined, entry: (coding: Coding) => E): void {
    // Stryker disable next-line ArrayDeclaration: a filler entry names no ValueSet id, so it skips nothing
    const matched: string[] = [];
    for (const coding of codingsOf(concept)) {
      for (const id of this.terminology.valueSetsOf(coding)) {
        if (matched.includes(id)) continue;
        matched.push(id);
        const entries = this.byValueSet.get(id);
        if (entries) entries.push(entry(coding));
        else this.byValueSet.set(id, [entry(coding)]);
      }
    }
  }

  unreadable(resource: T, error: unknown): void {
    this.failures.push({ resource, error });
  }

  /** The elements in the ValueSet (none for an unknown one) among resources that `keep` accepts, in data order. */
  find(id: string | undefined, keep: (resource: T) => boolean): E[] {
    const failure = this.failures.find((candidate) => keep(candidate.resource));
    if (failure) throw failure.error;
    return id === undefined ? [] : (this.byValueSet.get(id) ?? []).filter((entry) => keep(entry.resource));
  }
}
