import { renderPrefetchTemplate, unsupportedTokens } from '../../src/cds/prefetch-template';

/** The CDS Hooks 2.0 prefetch tokens as the service fills them for its own fetch, and the ones it does not know. */

const context = { userId: 'PractitionerRole/r 1', patientId: 'p/1', encounterId: 'e1' };

test('tokens are filled URL-encoded, with or without spaces inside the braces', () => {
  expect(
    renderPrefetchTemplate('Condition?patient={{ context.patientId }}&encounter={{context.encounterId}}', context),
  ).toBe('Condition?patient=p%2F1&encounter=e1');
  expect(renderPrefetchTemplate('Condition?patient={{  context.patientId\t}}', context)).toBe(
    'Condition?patient=p%2F1',
  );
  expect(renderPrefetchTemplate('PractitionerRole/{{userPractitionerRoleId}}', context)).toBe('PractitionerRole/r%201');
  expect(
    renderPrefetchTemplate('Practitioner/{{userPractitionerId}}', { userId: 'Practitioner/9', patientId: 'p' }),
  ).toBe('Practitioner/9');
});

test.each([
  ['Practitioner/7', 'pr=7'],
  ['PractitionerRole/7', 'role=7'],
  ['Patient/7', 'pat=7'],
  ['RelatedPerson/7', 'rel=7'],
])('userId %s fills only the token of its type', (userId, filled) => {
  const tokens = {
    pr: 'userPractitionerId',
    role: 'userPractitionerRoleId',
    pat: 'userPatientId',
    rel: 'userRelatedPersonId',
  };
  for (const [name, token] of Object.entries(tokens)) {
    const rendered = renderPrefetchTemplate(`X?u={{context.userId}}&${name}={{${token}}}`, { userId, patientId: 'p' });
    expect(rendered).toBe(`${name}=7` === filled ? `X?u=${encodeURIComponent(userId)}&${filled}` : undefined);
  }
});

test('a template without tokens is used as written', () => {
  expect(renderPrefetchTemplate('Observation?code=72514-3&_sort=-date', context)).toBe(
    'Observation?code=72514-3&_sort=-date',
  );
});

test('a token without a value in this context means the query cannot be made', () => {
  expect(renderPrefetchTemplate('Practitioner/{{userPractitionerId}}', context)).toBeUndefined();
  expect(renderPrefetchTemplate('Encounter/{{context.encounterId}}', { userId: 'u', patientId: 'p' })).toBeUndefined();
  expect(
    renderPrefetchTemplate('Practitioner/{{userPractitionerId}}', { userId: 'Practitioner/', patientId: 'p' }),
  ).toBeUndefined();
  expect(
    renderPrefetchTemplate('Condition?patient={{context.patientId}}&x={{context.medications}}', context),
  ).toBeUndefined();
});

test('the tokens CDS Hooks 2.0 does not define', () => {
  expect(
    unsupportedTokens(
      [
        'X?a={{context.patientId}}&b={{userPatientId}}&c={{userRelatedPersonId}}&d={{context.medications}}',
        'e={{context.userId}}&f={{ context.encounterId }}&g={{userPractitionerId}}&h={{userPractitionerRoleId}}',
        'i={{patient}}',
      ].join('&'),
    ),
  ).toEqual(['context.medications', 'patient']);
  expect(unsupportedTokens('Patient/p1')).toEqual([]);
});
