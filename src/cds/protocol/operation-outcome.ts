import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueCode = OperationOutcomeIssue['code'];

/** One problem with a request, located by a field path the client can find in what it sent. */
export interface RequestProblem {
  field?: string;
  message: string;
  code?: IssueCode;
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
      code: problem.code ?? 'invalid',
      diagnostics: describeProblem(problem),
      ...(problem.field ? { expression: [problem.field] } : {}),
    })),
  };
}
