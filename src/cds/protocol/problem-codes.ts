import type { OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * Every kind of problem a request can have, under a stable code: the OperationOutcome carries it in
 * `issue.details.coding` (system PROBLEM_CODE_SYSTEM) beside the FHIR issue type it maps to, so clients and tests
 * match the code and never the wording, which may improve. docs/architecture.md lists them.
 */
export const PROBLEM_CODE_SYSTEM = 'https://fhir.spine-cds.example/CodeSystem/request-problem';

export const REQUEST_PROBLEMS = {
  // The shape of a JSON field.
  required: 'required',
  'wrong-type': 'invalid',
  empty: 'invalid',
  'not-a-uuid': 'invalid',
  'not-an-absolute-url': 'invalid',
  'not-a-fhir-id': 'invalid',
  'not-a-date-time': 'invalid',
  'not-an-allowed-value': 'code-invalid',
  'wrong-resource-type': 'invalid',
  'not-applicable': 'business-rule',
  // What the request means under CDS Hooks.
  'wrong-hook': 'not-supported',
  'unknown-selection': 'business-rule',
  'other-patient': 'business-rule',
  'unreadable-fhir-data': 'invalid',
  'mixed-fhir-versions': 'business-rule',
  'fhir-version-not-supported': 'not-supported',
  'resource-not-found': 'not-found',
  'data-unavailable': 'incomplete',
  // The HTTP exchange.
  'no-such-endpoint': 'not-found',
  'no-such-service': 'not-found',
  'feature-off': 'not-found',
  'body-empty': 'required',
  'body-not-json': 'structure',
  'body-incomplete': 'incomplete',
  'body-too-large': 'too-costly',
  'body-too-deep': 'too-costly',
  'unsupported-media-type': 'not-supported',
  'rate-limited': 'throttled',
  'try-again-later': 'transient',
  'internal-error': 'exception',
} as const satisfies Record<string, OperationOutcomeIssue['code']>;

export type ProblemCode = keyof typeof REQUEST_PROBLEMS;
