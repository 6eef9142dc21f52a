import type { Extension, ValueSet } from '@medplum/fhirtypes';
import { INGREDIENT_NAMES_EXTENSION } from '../fhir/valueset-loader';

/**
 * A drug-class ValueSet's fallback for products it does not list (RxNorm adds products every month and has no is-a
 * hierarchy here): the ingredient names its extension declares, found in a product's name. RxNorm clinical and branded
 * drug names start with their ingredients ("oxycodone hydrochloride 5 MG Oral Tablet", "acetaminophen 325 MG /
 * oxycodone hydrochloride 5 MG Oral Tablet"), so a combination product is found by each of its ingredients.
 */

export interface IngredientNames {
  /**
   * The first declared ingredient named in one of the texts, as declared; texts naming an excluded dose form are
   * skipped.
   */
  find(texts: readonly string[]): string | undefined;
}

const byValueSet = new WeakMap<ValueSet, IngredientNames | null>();

/** The ValueSet's ingredient names, compiled once per (frozen) ValueSet; undefined when it declares none. */
export function ingredientNamesOf(valueSet: ValueSet): IngredientNames | undefined {
  if (!byValueSet.has(valueSet)) byValueSet.set(valueSet, compile(valueSet));
  return byValueSet.get(valueSet) ?? undefined;
}

/** The declared values of one kind ('ingredient' or 'excludedDoseForm'), e.g. for the catalogue. */
export function declaredValues(valueSet: ValueSet, kind: 'ingredient' | 'excludedDoseForm'): string[] {
  return declarations(valueSet)
    .filter((part) => part.url === kind && typeof part.valueString === 'string')
    .map((part) => (part.valueString as string).trim())
    .filter((value) => value !== '');
}

function declarations(valueSet: ValueSet): Extension[] {
  return (valueSet.extension ?? [])
    .filter((ext) => ext.url === INGREDIENT_NAMES_EXTENSION)
    .flatMap((ext) => ext.extension ?? []);
}

function compile(valueSet: ValueSet): IngredientNames | null {
  const names = declaredValues(valueSet, 'ingredient');
  if (names.length === 0) return null;
  const ingredient = wholeWords(names);
  const excluded = declaredValues(valueSet, 'excludedDoseForm');
  const excludedForm = excluded.length > 0 ? wholeWords(excluded) : undefined;
  const declared = new Map(names.map((name) => [name.toLowerCase(), name]));
  return {
    find(texts) {
      for (const text of texts) {
        if (excludedForm?.test(text)) continue;
        const found = ingredient.exec(text)?.[1];
        if (found) return declared.get(found.toLowerCase());
      }
      return undefined;
    },
  };
}

/** Any of the words, case-insensitive, not inside a longer word ("morphine" is not found in "hydromorphone"). */
function wholeWords(words: string[]): RegExp {
  const longestFirst = [...words].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(`(?<![a-z])(${longestFirst.join('|')})(?![a-z])`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
