import fs from 'node:fs';
import path from 'node:path';
import { alternate, type HttpScenario, type LoadSettings } from './http';
import type { ChildServer } from './processes';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfPercent: number;
}

export interface ProfileSummary {
  file: string;
  /** Share of all samples, idle included. */
  idlePercent: number;
  /** Self time of busy samples, grouped by package or source file. */
  groups: ProfileEntry[];
  functions: ProfileEntry[];
}

const TOP = 15;

/**
 * Runs the scenario against a service started with --cpu-prof, stops it (which writes the profile) and summarises
 * it.
 */
export async function profileService(
  start: () => Promise<ChildServer>,
  scenario: HttpScenario,
  settings: LoadSettings,
  profileDir: string,
): Promise<ProfileSummary> {
  const service = await start();
  try {
    await alternate([service], scenario, { ...settings, rounds: 1 });
  } finally {
    await service.stop();
  }
  const file = fs
    .readdirSync(profileDir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(profileDir, name))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!file) throw new Error(`no .cpuprofile written to ${profileDir}`);
  return { file, ...summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile) };
}

/** Self time per function and per package/file, from the samples and their time deltas. */
function summarise(profile: CpuProfile): Omit<ProfileSummary, 'file'> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const groups = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = (byId.get(id) as CpuProfileNode).callFrame;
    total += delta;
    if (frame.functionName === '(idle)') {
      idle += delta;
      return;
    }
    const where = location(frame.url);
    add(
      functions,
      `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`,
      delta,
    );
    add(groups, where, delta);
  });
  const busy = total - idle;
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([name, time]) => ({ name, selfPercent: (100 * time) / busy }));
  return { idlePercent: (100 * idle) / total, groups: top(groups), functions: top(functions) };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** `pino`, `express`, `src/fhir/terminology.js`, `node:internal/…`, or `(native)` for V8 and GC. */
function location(url: string): string {
  if (!url) return '(native: V8, GC, JSON)';
  const nodeModule = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nodeModule) return nodeModule[1];
  const ours = /\/dist\/((?:src|test)\/.+)$/.exec(url);
  if (ours) return ours[1];
  return url.replace(/^file:\/\//, '');
}
