import { PROBLEM_CODE_SYSTEM, type ProblemCode } from '../../src/cds/protocol/problem-codes';

interface Issue {
  expression?: string[];
  details?: { coding?: Array<{ system?: string; code?: string }> };
}

/** Each issue of an OperationOutcome as the field it names and its stable problem code (never its wording). */
export function problemsOf(outcome: unknown): Array<{ field?: string; problem?: ProblemCode }> {
  const issues = (outcome as { issue?: Issue[] }).issue ?? [];
  return issues.map((issue) => ({
    field: issue.expression?.[0],
    problem: issue.details?.coding?.find((coding) => coding.system === PROBLEM_CODE_SYSTEM)?.code as ProblemCode,
  }));
}
