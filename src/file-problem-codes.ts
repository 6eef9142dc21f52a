/**
 * Every kind of problem a rule set, a scenario file or the trust file can have, under a stable code: `rules check`
 * prints it, and tests and tools match it rather than the wording, which may improve.
 */
export const FILE_PROBLEM_CODES = [
  // Reading files.
  'unreadable-file',
  'json-syntax',
  'schema',
  'empty-folder',
  // Names that point nowhere (each with a did-you-mean when a near name exists).
  'unknown-fact',
  'unknown-parameter',
  'unknown-valueset',
  'unknown-code',
  'unknown-rule',
  'unknown-override-reasons',
  'unknown-shared-definition',
  'unknown-placeholder',
  'unknown-fixture',
  'unknown-modality',
  // Names used twice, or missing.
  'duplicate-name',
  'missing-parameter',
  'missing-valueset-list',
  // What a rule means.
  'type-mismatch',
  'true-when-unknown',
  'summary-too-long',
  'repeated-unit',
  'nested-shared-condition',
  // ValueSets and CodeSystems.
  'invalid-valueset',
  // Scenarios.
  'invalid-scenario',
  // The trust file (besides unreadable-file, json-syntax and duplicate-name).
  'unknown-field',
  'invalid-value',
  'invalid-url',
  'insecure-url',
  'no-keys',
  'several-key-sources',
  'invalid-key',
  'private-key',
  'disallowed-algorithm',
  'development-only',
  'inapplicable-field',
] as const;

export type FileProblemCode = (typeof FILE_PROBLEM_CODES)[number];
