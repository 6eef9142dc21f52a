import fs from 'node:fs';
import path from 'node:path';
import { parse as parseTolerantly, type ParseError } from 'jsonc-parser';
import type { FileProblemCode } from './file-problem-codes';

export interface FileProblem {
  file: string;
  rule?: string;
  path: string;
  code: FileProblemCode;
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
        code: 'unreadable-file',
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
        code: 'json-syntax',
        message: `is not valid JSON: ${describeSyntaxError(text, error as Error)}`,
      },
    };
  }
}

// Node's JSON.parse names the offset for some syntax errors only (not for a trailing comma, for example); an
// informaticist fixing the file in an editor needs the line, so a strict JSON scanner locates the first error.
function describeSyntaxError(text: string, error: Error): string {
  const found: ParseError[] = [];
  parseTolerantly(text, found, { disallowComments: true, allowTrailingComma: false });
  const offset = found[0]?.offset;
  const reason = error.message.replace(/ in JSON at position \d+.*$/s, '');
  if (offset === undefined) return reason;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${reason} at line ${line}, column ${column}`;
}

/** `/rules/3/card/summary` → `rules[3].card.summary`: how the problem reads for a person. */
export function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
