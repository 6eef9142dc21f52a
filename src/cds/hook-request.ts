import type { Bundle } from '@medplum/fhirtypes';
import { BodyChecker } from './protocol/body-checker';
import { isObject, type JsonObject } from '../json-value';
import { HOOKS, type HookName } from './protocol/hooks';
import { type FhirAuthorization, type HookContext, type HookRequest } from './types';

/**
 * Validates a hook call body against CDS Hooks 2.0 and the Hook Library context of the service's hook.
 * Lenient where real clients differ harmlessly (a `Patient/` prefix on patientId, `null` optional fields,
 * unknown extensions); strict where a mistake would change the answer.
 */
export function parseHookRequest(body: unknown, expectedHook: HookName): HookRequest {
  const check = new BodyChecker();
  const root = check.object(body, 'body');
  check.finish();
  const request = root as JsonObject;

  const hook = check.oneOf(request.hook, 'hook', HOOKS);
  if (hook !== undefined && hook !== expectedHook) {
    check.problem('hook', `this service answers "${expectedHook}", not "${hook}"`, 'wrong-hook');
  }
  const hookInstance = check.uuid(request.hookInstance, 'hookInstance');
  const fhirServer = request.fhirServer == null ? undefined : check.absoluteUrl(request.fhirServer, 'fhirServer');
  const fhirAuthorization = parseFhirAuthorization(check, request.fhirAuthorization);
  if (fhirAuthorization && request.fhirServer == null) {
    check.problem('fhirServer', 'is required when fhirAuthorization is sent', 'required');
  }
  const context = parseContext(check, request.context, expectedHook);
  const prefetch = request.prefetch == null ? {} : check.object(request.prefetch, 'prefetch');
  check.finish();

  return {
    hook: expectedHook,
    hookInstance: hookInstance as string,
    ...(fhirServer ? { fhirServer: fhirServer.replace(/\/+$/, '') } : {}),
    ...(fhirAuthorization ? { fhirAuthorization } : {}),
    context: context as HookContext,
    prefetch: prefetch as JsonObject,
  };
}

function parseFhirAuthorization(check: BodyChecker, value: unknown): FhirAuthorization | undefined {
  if (value == null) return undefined;
  const auth = check.object(value, 'fhirAuthorization');
  if (!auth) return undefined;
  const accessToken = check.string(auth.access_token, 'fhirAuthorization.access_token');
  const tokenType = auth.token_type;
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    check.problem('fhirAuthorization.token_type', 'must be "Bearer"', 'not-an-allowed-value');
  }
  if (typeof auth.expires_in !== 'number' || !Number.isFinite(auth.expires_in) || auth.expires_in < 0) {
    check.problem('fhirAuthorization.expires_in', 'must be a number of seconds', 'wrong-type');
  }
  const scope = check.string(auth.scope, 'fhirAuthorization.scope');
  const subject = check.string(auth.subject, 'fhirAuthorization.subject');
  const patient = check.optionalString(auth.patient, 'fhirAuthorization.patient');
  if (accessToken === undefined || scope === undefined || subject === undefined) return undefined;
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: auth.expires_in as number,
    scope,
    subject,
    ...(patient ? { patient } : {}),
  };
}

function parseContext(check: BodyChecker, value: unknown, hook: HookName): HookContext | undefined {
  const context = check.object(value, 'context');
  if (!context) return undefined;
  const userId = check.string(context.userId, 'context.userId');
  const patientId = parsePatientId(check, context.patientId);
  const encounterId = check.optionalString(context.encounterId, 'context.encounterId');
  const result: HookContext = {
    userId: userId as string,
    patientId: patientId as string,
    ...(encounterId ? { encounterId: encounterId.replace(/^Encounter\//, '') } : {}),
  };
  if (hook === 'order-select' || hook === 'order-sign') {
    const draftOrders = parseDraftOrders(check, context.draftOrders);
    // Stryker disable next-line ConditionalExpression: no draftOrders means a problem was recorded: the call fails
    if (draftOrders) result.draftOrders = draftOrders;
  }
  if (hook === 'order-select') {
    const selections = check.stringArray(context.selections, 'context.selections');
    if (selections && result.draftOrders) checkSelectionsExist(check, selections, result.draftOrders);
    // Stryker disable next-line ConditionalExpression: no selections means a problem was recorded: the call fails
    if (selections) result.selections = selections;
  }
  return result;
}

/** Clients sometimes send `Patient/123`; the spec says a bare id. Accept both, keep the bare id. */
function parsePatientId(check: BodyChecker, value: unknown): string | undefined {
  const raw = check.string(value, 'context.patientId');
  if (raw === undefined) return undefined;
  const id = raw.trim().replace(/^Patient\//, '');
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
    return check.problem(
      'context.patientId',
      'must be a FHIR id (letters, digits, "-" and ".", at most 64 characters)',
      'not-a-fhir-id',
    );
  }
  return id;
}

function parseDraftOrders(check: BodyChecker, value: unknown): Bundle | undefined {
  const bundle = check.object(value, 'context.draftOrders');
  if (!bundle) return undefined;
  if (bundle.resourceType !== 'Bundle')
    return check.problem('context.draftOrders.resourceType', 'must be "Bundle"', 'wrong-resource-type');
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) return check.problem('context.draftOrders.entry', 'must be an array', 'wrong-type');
  entries.forEach((entry, index) => {
    const field = `context.draftOrders.entry[${index}].resource`;
    if (!isObject(entry) || !isObject(entry.resource)) {
      check.problem(field, 'is required: each entry must carry a draft resource', 'required');
    } else if (typeof entry.resource.resourceType !== 'string') {
      check.problem(`${field}.resourceType`, 'is required', 'required');
    } else if (entry.resource.id !== undefined && typeof entry.resource.id !== 'string') {
      check.problem(`${field}.id`, 'must be a string', 'wrong-type');
    }
  });
  return bundle as unknown as Bundle;
}

function checkSelectionsExist(check: BodyChecker, selections: string[], draftOrders: Bundle): void {
  // Entries already reported as malformed (null, no resource) may still be here: the 400 comes once all checks ran.
  const present = new Set(
    (draftOrders.entry ?? []).map((entry) => `${entry?.resource?.resourceType}/${entry?.resource?.id}`),
  );
  selections.forEach((selection, index) => {
    if (!present.has(selection)) {
      check.problem(
        `context.selections[${index}]`,
        `"${selection.slice(0, 80)}" does not name a resource in context.draftOrders`,
        'unknown-selection',
      );
    }
  });
}
