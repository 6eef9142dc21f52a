import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './spine-service';

/** rules/README.md from `heading` to the next section of the same level. */
export function readmeSection(heading: string): string {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'README.md'), 'utf8');
  const start = readme.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`rules/README.md has no "${heading}"`);
  const level = /^#+/.exec(heading)?.[0] ?? '##';
  const end = readme.indexOf(`\n${level} `, start + heading.length);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** A fenced block of the README: its language, its text unindented, and the line that introduces it. */
interface Block {
  lang: string;
  text: string;
  intro: string;
}

function blocks(section: string): Block[] {
  const found: Block[] = [];
  let open: { lang: string; lines: string[]; intro: string } | undefined;
  let intro = '';
  for (const line of section.split('\n')) {
    const fence = /^\s*```(\S*)\s*$/.exec(line);
    if (open && fence && fence[1] === '') {
      found.push({ lang: open.lang, text: open.lines.join('\n'), intro: open.intro });
      open = undefined;
    } else if (open) open.lines.push(line.replace(/^ {3}/, ''));
    else if (fence) open = { lang: fence[1] as string, lines: [], intro };
    else if (line.trim() !== '') intro = line;
  }
  return found;
}

/**
 * A file the README shows in full (or, for a pack, a rule to add to it): "… `rules/facts.json`:" then a JSON
 * block.
 */
export interface ExampleFile {
  target: string;
  value: any;
}

export function exampleFiles(section: string): ExampleFile[] {
  return blocks(section).flatMap(({ lang, text, intro }) => {
    const target = /`([^`]+\.json)`:$/.exec(intro.trim())?.[1];
    return lang === 'json' && target ? [{ target, value: JSON.parse(text) }] : [];
  });
}

/** Writes the example into a copy of the project (`root` holds rules/ and fhir-profiles/), as the README says. */
export function applyExampleFiles(root: string, files: ExampleFile[]): void {
  for (const { target, value } of files) {
    const file = path.join(root, target);
    if (target.startsWith('rules/packs/')) {
      const pack = JSON.parse(fs.readFileSync(file, 'utf8'));
      pack.rules.push(value);
      fs.writeFileSync(file, JSON.stringify(pack, null, 2));
    } else {
      fs.writeFileSync(file, JSON.stringify(value, null, 2));
    }
  }
}

/** The section's fenced blocks without a language (what commands print), unindented. */
export function outputBlocks(section: string): string[] {
  return blocks(section)
    .filter(({ lang }) => lang === '')
    .map(({ text }) => text);
}
