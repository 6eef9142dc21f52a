import { refuseUnlistedServer } from '../../src/fhir/fhir-server-policy';

const allowlist = {
  servers: ['https://ehr.example/fhir/R4', 'http://127.0.0.1:8103/fhir'],
  notListed: 'is not allowed here',
};

describe('FHIR server allowlist', () => {
  test.each([
    'https://ehr.example/fhir/R4',
    'https://ehr.example/fhir/R4/',
    'https://EHR.example:443/fhir/R4/tenant-1',
    'http://127.0.0.1:8103/fhir',
  ])('%s is allowed', (server) => {
    expect(refuseUnlistedServer(allowlist, server, false)).toBeUndefined();
  });

  test.each([
    ['another port', 'https://ehr.example:8443/fhir/R4', /is not allowed here/],
    ['a sibling path', 'https://ehr.example/fhir/R4x', /is not allowed here/],
    ['a parent path by dot segments', 'https://ehr.example/fhir/R4/../../admin', /is not allowed here/],
    ['encoded dot segments', 'https://ehr.example/fhir/R4/%2e%2e/%2e%2e/admin', /is not allowed here/],
    ['a look-alike host', 'https://ehr.example.evil.example/fhir/R4', /is not allowed here/],
    ['the host as user info', 'https://ehr.example@evil.example/fhir/R4', /must not contain credentials/],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data', /is not allowed here/],
    ['the metadata address in decimal', 'http://2852039166/latest/meta-data', /is not allowed here/],
    ['loopback under another name', 'http://localhost:8103/fhir', /is not allowed here/],
    ['loopback in IPv6', 'http://[::1]:8103/fhir', /is not allowed here/],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:8103/fhir', /is not allowed here/],
    ['another scheme', 'file:///etc/passwd', /must use https or http/],
    ['not a URL', 'ehr.example/fhir', /not a valid URL/],
  ])('%s is refused', (_name, server, reason) => {
    expect(refuseUnlistedServer(allowlist, server, false)).toMatch(reason);
  });

  test('production refuses plain http even when listed', () => {
    expect(refuseUnlistedServer(allowlist, 'http://127.0.0.1:8103/fhir', true)).toBe('fhirServer must use https');
  });
});
