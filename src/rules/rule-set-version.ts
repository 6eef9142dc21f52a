import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A hash of the files' contents under their names relative to their folder: the same rules give the same version
 * wherever they are installed (a laptop, a container, a Kubernetes ConfigMap).
 */
export function contentVersion(folders: Array<{ root: string; files: string[] }>): string {
  const hash = createHash('sha256');
  const named = folders.flatMap(({ root, files }) => files.map((file) => ({ file, name: path.relative(root, file) })));
  for (const { file, name } of named.sort((a, b) => a.name.localeCompare(b.name)))
    hash.update(name).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 12);
}
