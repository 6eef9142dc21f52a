import fs from 'node:fs';
import path from 'node:path';

export interface FileProblem {
  file: string;
  rule?: string;
  path: string;
  message: string;
}

/** The `*.json` files of a folder, sorted by name; none when the folder does not exist. */
export function listJsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Reads a JSON file; a syntax error becomes a problem naming the line and column, as an editor shows it. */
export function readJsonFile(file: string, displayName: string): { value?: unknown; problem?: FileProblem } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return {
      problem: {
        file: displayName,
        path: '',
        message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      },
    };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return {
      problem: {
        file: displayName,
        path: '',
        message: `is not valid JSON: ${describeSyntaxError(text, error as Error)}`,
      },
    };
  }
}

function describeSyntaxError(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) return error.message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

/** `/rules/3/card/summary` → `rules[3].card.summary`: how the problem reads for a person. */
export function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
