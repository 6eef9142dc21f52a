import type { ParameterValues } from '../clinical/facts';

/** `{{painWeeks}}` (a fact) or `{{param.imagingNotBeforeWeeks}}` (a parameter) in card text. */
export const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

export const PARAMETER_PREFIX = 'param.';

export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

/** Fills parameter placeholders only: what a summary may hold, since it must stay one short sentence. */
export function fillParameters(text: string, parameters: ParameterValues): string {
  return text.replace(PLACEHOLDER, (placeholder, name: string) =>
    name.startsWith(PARAMETER_PREFIX) && name.slice(PARAMETER_PREFIX.length) in parameters
      ? String(parameters[name.slice(PARAMETER_PREFIX.length)])
      : placeholder,
  );
}
