import type { HookContext } from './types';

const TOKEN = /\{\{\s*([\w.]+)\s*\}\}/g;

/** The typed reference in userId, e.g. `Practitioner/abc` → abc for {{userPractitionerId}}. */
function userIdOfType(context: HookContext, type: string): string | undefined {
  const [userType, id] = context.userId.split('/');
  return userType === type && id ? id : undefined;
}

/** Values of the CDS Hooks 2.0 prefetch tokens for one hook call (only primitive context fields). */
function tokenValues(context: HookContext): Record<string, string | undefined> {
  return {
    'context.userId': context.userId,
    'context.patientId': context.patientId,
    'context.encounterId': context.encounterId,
    userPractitionerId: userIdOfType(context, 'Practitioner'),
    userPractitionerRoleId: userIdOfType(context, 'PractitionerRole'),
    userPatientId: userIdOfType(context, 'Patient'),
    userRelatedPersonId: userIdOfType(context, 'RelatedPerson'),
  };
}

/**
 * Fills a prefetch template for the service's own fetch. Returns undefined when a token has no value in this
 * context (e.g. no encounterId), in which case the data cannot be fetched.
 */
export function renderPrefetchTemplate(template: string, context: HookContext): string | undefined {
  const values = tokenValues(context);
  let missing = false;
  const rendered = template.replace(TOKEN, (_match, token: string) => {
    const value = values[token];
    if (value === undefined) missing = true;
    // Stryker disable next-line StringLiteral: what fills a missing token is never seen: the template is refused
    return encodeURIComponent(value ?? '');
  });
  return missing ? undefined : rendered;
}

/** Tokens a template uses that CDS Hooks 2.0 does not define; discovery must never advertise these. */
export function unsupportedTokens(template: string): string[] {
  // Stryker disable next-line StringLiteral: only the token names are read, not their values
  const known = new Set(Object.keys(tokenValues({ userId: '', patientId: '' })));
  return [...template.matchAll(TOKEN)].map((match) => match[1]).filter((token) => !known.has(token));
}
