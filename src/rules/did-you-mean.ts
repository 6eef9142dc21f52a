import { closest, distance } from 'fastest-levenshtein';

/**
 * ` Did you mean "bmi"?` when a known name is a likely typo of `name` (a few edits away), else ''. One suggestion
 * beats a list of every name: the list is in the catalogue and the schema.
 */
export function didYouMean(name: string, known: Iterable<string>): string {
  const candidates = [...known];
  if (candidates.length === 0 || name === '') return '';
  const nearest = closest(name, candidates);
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return distance(name.toLowerCase(), nearest.toLowerCase()) <= allowed ? ` Did you mean "${nearest}"?` : '';
}
