import type { FileProblemCode } from '../../file-problem-codes';

/** One thing wrong in the trust file: a stable code, the field at fault ('' = the whole file) and what is wrong. */
export interface TrustProblem {
  code: FileProblemCode;
  path: string;
  message: string;
}

/**
 * How start-up prints a trust file problem, its code last:
 * `issuers[0].algorithms: "HS256" is not allowed; choose from … [disallowed-algorithm]`.
 */
export function formatTrustProblem({ code, path, message }: TrustProblem): string {
  return `${path === '' ? '' : `${path}: `}${message} [${code}]`;
}
