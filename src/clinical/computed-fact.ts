/** A value the rules compare. `null` means "not known": rules see it, and cards say what could not be checked. */
export type FactValue = number | boolean | string | string[] | null;

/** Patient data behind a fact, as a clinician would want to see it on a card. */
export interface Citation {
  /** Relative reference, e.g. `Condition/123`. */
  reference?: string;
  /** e.g. `Sciatica (disorder) [SNOMED CT 23056005], onset 2026-09-01`. */
  text: string;
}

export interface Fact {
  value: FactValue;
  cites: Citation[];
  /** Why the value is unknown or incomplete, e.g. "no pain score recorded in the last 90 days". */
  missing?: string;
  /** The exception that made the computation fail (a bug or unexpected data), for `rules explain` only. */
  error?: string;
}

export type FactType = 'boolean' | 'number' | 'string' | 'list';

export type Facts = Record<string, Fact>;

export const known = (value: FactValue, cites: Citation[] = []): Fact => ({ value, cites });

export const notKnown = (missing: string, cites: Citation[] = []): Fact => ({ value: null, cites, missing });
