#!/usr/bin/env node
import path from 'node:path';
import { loadConfig } from '../config';
import { formatProblem, loadRuleSet, RuleSetError, type RuleSet } from '../rules/load-rule-set';
import { formatScenarioProblem, formatScenarioReport } from './scenarios/report';
import { testScenarioFiles } from './scenarios/run';
import { explainFile } from './explain';
import { feedbackReport } from './feedback-report';
import { RuleSetLocationError, rulesDiff } from './rules-diff';
import { unknownProfile } from '../rules/profiles';
import { runSandbox, SANDBOX_USAGE } from './sandbox-command';

/** Commands for rule authors. Exit code 0 when all is well, 1 when the rules or scenarios fail, 2 for misuse. */

const USAGE = `Usage: spine-cds <command>

  rules check                 validate every rule pack, parameter, override reason and ValueSet
  rules test [file...]        run scenario files (default: every file in the profile's scenarios folder,
                              rules/scenarios for the default profile)
  rules explain <file.json>   show the facts, the rules that fired, and why the others did not, for a
                              hook request (with prefetch), a FHIR Bundle of a patient's data, or a
                              scenario file with --scenario
      --scenario <name>       the scenario to explain (scenario files)
      --now <date-time>       evaluation time (default: the scenario's, else now)
      --hook <hook>           patient-view (default), order-select or order-sign
  rules diff <base> [<head>]  every scenario under two rule sets: the cards that appear, disappear or
                              change indicator or summary. Each side is a folder (a project with rules/,
                              or a rules folder) or a git revision; <head> defaults to the live folders
${SANDBOX_USAGE}

  feedback report             per rule: cards shown, accepted, overridden, no response, acceptance rate,
                              from the card ledger the service is configured with
      --since <date>          first day counted (default: 90 days ago)
      --format <format>       table (default), csv or json

  --profile <name>            with rules check, test and explain: the rule profile (default:
                              SPINE_CDS_RULES_PROFILE, else "default"), a folder under rules/profiles

Folders come from SPINE_CDS_RULES_DIR and SPINE_CDS_VALUESETS_DIR (default: this project's rules/ and
fhir-profiles/valuesets/).`;

interface Options {
  positional: string[];
  flags: Record<string, string>;
}

function parseArguments(argv: string[]): Options {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) flags[arg.slice(2)] = argv[++i] ?? '';
    else positional.push(arg);
  }
  return { positional, flags };
}

function loadOrReport(rulesDir: string, valueSetsDir: string, profile: string): RuleSet | undefined {
  try {
    return loadRuleSet(rulesDir, valueSetsDir, profile);
  } catch (error) {
    if (!(error instanceof RuleSetError)) throw error;
    process.stdout.write(
      `✗ The rule set has ${error.problems.length} problem(s):\n${error.problems.map(formatProblem).join('\n')}\n`,
    );
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'sandbox') return runSandbox(argv.slice(1));
  const { positional, flags } = parseArguments(argv);
  const [group, command, ...rest] = positional;
  if (group === 'feedback' && command === 'report' && rest.length === 0) return feedbackReport(flags);
  if (group !== 'rules' || !command) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { rulesDir, valueSetsDir, rulesProfile } = loadConfig();
  const profile = flags.profile ?? rulesProfile;
  const profileProblem = unknownProfile(rulesDir, profile, '--profile');
  if (profileProblem) {
    process.stderr.write(`✗ ${profileProblem}\n`);
    return 2;
  }
  const ruleSet = loadOrReport(rulesDir, valueSetsDir, profile);
  if (!ruleSet) return 1;

  switch (command) {
    case 'check': {
      const valueSets = ruleSet.terminology.valueSetIds().length;
      process.stdout.write(
        `✓ ${ruleSet.rules.length} rules in ${ruleSet.packs.length} packs, ` +
          `${Object.keys(ruleSet.parameters).length} parameters, ` +
          `${valueSets} ValueSets: all valid (version ${ruleSet.version}, profile ${ruleSet.profile}).\n`,
      );
      return 0;
    }
    case 'test': {
      const files = rest.length > 0 ? rest.map((file) => path.resolve(file)) : undefined;
      const { problems, results } = await testScenarioFiles(rulesDir, ruleSet, files);
      if (problems.length > 0) {
        process.stdout.write(
          `✗ The scenario files have ${problems.length} problem(s):\n` +
            `${problems.map(formatScenarioProblem).join('\n')}\n`,
        );
        return 1;
      }
      process.stdout.write(`${formatScenarioReport(results)}\n`);
      return results.every((result) => result.passed) && results.length > 0 ? 0 : 1;
    }
    case 'explain': {
      if (rest.length !== 1) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      const report = await explainFile(path.resolve(rest[0]), ruleSet, flags, rulesDir);
      process.stdout.write(`${report.text}\n`);
      return report.ok ? 0 : 1;
    }
    case 'diff': {
      if (rest.length < 1 || rest.length > 2) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      try {
        process.stdout.write(`${await rulesDiff(rest, { label: 'the live folders', rulesDir, valueSetsDir })}\n`);
        return 0;
      } catch (error) {
        if (error instanceof RuleSetError) {
          process.stdout.write(`✗ ${error.message}\n`);
          return 1;
        }
        if (error instanceof RuleSetLocationError) {
          process.stderr.write(`✗ ${error.message}\n`);
          return 2;
        }
        throw error;
      }
    }
    default:
      process.stderr.write(`Unknown command "rules ${command}".\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
