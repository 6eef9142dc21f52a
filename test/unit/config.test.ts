import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('the embedded defaults need no environment at all', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({ mode: 'development', port: 8080, publicBaseUrl: 'http://localhost:8080', corsOrigins: ['*'], fhirServerAllowlist: [] });
  expect(config.rulesDir).toMatch(/rules$/);
});

test('every bad value is reported at once, naming the variable', () => {
  const problems = problemsOf({ PORT: '99999', SPINE_CDS_MODE: 'staging', SPINE_CDS_FHIR_SERVERS: 'ftp://x,https://ok.example/fhir', LOG_LEVEL: 'loud' });
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^PORT: expected a whole number from 0 to 65535/),
      expect.stringMatching(/^SPINE_CDS_MODE: expected one of development, production/),
      expect.stringMatching(/^SPINE_CDS_FHIR_SERVERS: "ftp:\/\/x" is not an absolute http\(s\) URL/),
      expect.stringMatching(/^LOG_LEVEL: expected one of/),
    ]),
  );
});

test('CORS origins must be origins, and "*" only in development', () => {
  expect(problemsOf({ SPINE_CDS_CORS_ORIGINS: 'https://sandbox.cds-hooks.org/' })).toEqual([
    expect.stringMatching(/SPINE_CDS_CORS_ORIGINS: "https:\/\/sandbox.cds-hooks.org\/" is not an origin/),
  ]);
  expect(loadConfig({ SPINE_CDS_CORS_ORIGINS: 'https://sandbox.cds-hooks.org, http://localhost:3000' }).corsOrigins).toEqual([
    'https://sandbox.cds-hooks.org',
    'http://localhost:3000',
  ]);
  expect(problemsOf({ SPINE_CDS_MODE: 'production', SPINE_CDS_AUTH: 'disabled', SPINE_CDS_CORS_ORIGINS: '*' })).toEqual(
    expect.arrayContaining([expect.stringMatching(/"\*" is only allowed in development mode/)]),
  );
});
