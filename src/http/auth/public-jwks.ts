import { createPublicKey } from 'node:crypto';
import { isObject } from '../../json-value';
import type { TrustProblem } from './trust-problem';

/** Members that only private or symmetric keys carry: a trust file holding one leaks a secret. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const ASYMMETRIC_KEY_TYPES = ['EC', 'RSA', 'OKP'];

/**
 * Checks that a value is a JSON Web Key Set of public signature keys, each importable, and returns the
 * problems found (empty when it is usable), at `field` or inside it.
 */
export function publicJwksProblems(value: unknown, field: string): TrustProblem[] {
  if (!isObject(value) || !Array.isArray(value.keys) || value.keys.length === 0) {
    const message = 'must be a JSON Web Key Set: { "keys": [ public JWKs ] } with at least one key';
    return [{ code: 'invalid-key', path: field, message }];
  }
  return value.keys.flatMap((key: unknown, index: number) => publicJwkProblems(key, `${field}.keys[${index}]`));
}

function publicJwkProblems(key: unknown, field: string): TrustProblem[] {
  if (!isObject(key)) return [{ code: 'invalid-key', path: field, message: 'must be a JSON Web Key object' }];
  if (typeof key.kty !== 'string' || !ASYMMETRIC_KEY_TYPES.includes(key.kty)) {
    const types = ASYMMETRIC_KEY_TYPES.join(', ');
    const message = `must be one of ${types} (public-key signatures only, never a shared secret)`;
    return [{ code: 'invalid-key', path: `${field}.kty`, message }];
  }
  const secrets = SECRET_MEMBERS.filter((member) => Object.hasOwn(key, member));
  if (secrets.length > 0) {
    const message = `holds private key material (${secrets.join(', ')}); publish only the public key`;
    return [{ code: 'private-key', path: field, message }];
  }
  if (key.kid !== undefined && typeof key.kid !== 'string')
    return [{ code: 'invalid-value', path: `${field}.kid`, message: 'must be a string' }];
  try {
    createPublicKey({ key: key as JsonWebKeyInput['key'], format: 'jwk' });
  } catch (error) {
    const message = `is not a valid ${key.kty} public key (${(error as Error).message})`;
    return [{ code: 'invalid-key', path: field, message }];
  }
  return [];
}

type JsonWebKeyInput = Extract<Parameters<typeof createPublicKey>[0], { format: 'jwk' }>;
