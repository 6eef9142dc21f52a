import type { OperationOutcome } from '@medplum/fhirtypes';
import { PROBLEM_CODE_SYSTEM, REQUEST_PROBLEMS, type ProblemCode } from './problem-codes';

/** One problem with a request, located by a field path the client can find in what it sent. */
export interface RequestProblem {
  field?: string;
  message: string;
  problem: ProblemCode;
}

/**
 * An error that becomes an HTTP response with a FHIR OperationOutcome body. Messages are written for the
 * integrator reading them and must never contain tokens or patient data.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly problems: RequestProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(problems.map(describeProblem).join('; '));
    this.name = 'HttpError';
  }
}

function describeProblem(problem: RequestProblem): string {
  return problem.field ? `${problem.field}: ${problem.message}` : problem.message;
}

export function operationOutcome(problems: RequestProblem[], severity: 'error' | 'fatal' = 'error'): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: problems.map((problem) => ({
      severity,
      code: REQUEST_PROBLEMS[problem.problem],
      details: { coding: [{ system: PROBLEM_CODE_SYSTEM, code: problem.problem }] },
      diagnostics: describeProblem(problem),
      ...(problem.field ? { expression: [problem.field] } : {}),
    })),
  };
}
