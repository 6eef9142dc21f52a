import fs from 'node:fs';
import path from 'node:path';

/** The folder holding package.json, whether running from src/ (ts-jest) or dist/src/ (compiled). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** The JSON Schemas of rule files: part of the code's contract (they list the facts it computes). */
export const SCHEMA_DIR = path.join(PROJECT_ROOT, 'rules', 'schema');
