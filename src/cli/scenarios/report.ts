import type { ScenarioProblem, ScenarioResult } from './types';

export function formatScenarioProblem(problem: ScenarioProblem): string {
  const where = [
    problem.file,
    problem.scenario ? `scenario "${problem.scenario}"` : undefined,
    problem.path || undefined,
  ]
    .filter(Boolean)
    .join(' › ');
  return `- ${where}: ${problem.message}`;
}

/** One scenario's outcome as text: a line for a pass, the difference for a failure. */
export function formatScenarioResult(result: ScenarioResult): string {
  const title = `${result.file ? `${result.file} › ` : ''}${result.name} [${result.hook} at ${result.now}]`;
  if (result.passed) return `PASS ${title}`;
  const lines = [`FAIL ${title}`];
  if (result.error) lines.push(`     the hook call failed: ${result.error}`);
  if (result.missing.length > 0) lines.push(`   - missing (expected, not shown): ${result.missing.join(', ')}`);
  if (result.unexpected.length > 0) lines.push(`   + unexpected (shown, must not be): ${result.unexpected.join(', ')}`);
  if (!result.error)
    lines.push(`     cards shown, in order: ${result.cards.length > 0 ? result.cards.join(', ') : '(none)'}`);
  return lines.join('\n');
}

/** The whole run as text: failures in full, passes as one line each, and a count. */
export function formatScenarioReport(results: ScenarioResult[]): string {
  const failed = results.filter((result) => !result.passed);
  return [
    ...results.map(formatScenarioResult),
    '',
    `${results.length - failed.length} passed, ${failed.length} failed, ${results.length} scenario(s)`,
  ].join('\n');
}
