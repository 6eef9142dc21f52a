import { createPublicKey } from 'node:crypto';
import { isObject } from '../../json-value';

/** Members that only private or symmetric keys carry: a trust file holding one leaks a secret. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const ASYMMETRIC_KEY_TYPES = ['EC', 'RSA', 'OKP'];

/**
 * Checks that a value is a JSON Web Key Set of public signature keys, each importable, and returns the
 * problems found (empty when it is usable), each prefixed with `field`.
 */
export function publicJwksProblems(value: unknown, field: string): string[] {
  if (!isObject(value) || !Array.isArray(value.keys) || value.keys.length === 0) {
    return [`${field}: must be a JSON Web Key Set: { "keys": [ public JWKs ] } with at least one key`];
  }
  return value.keys.flatMap((key: unknown, index: number) => publicJwkProblems(key, `${field}.keys[${index}]`));
}

function publicJwkProblems(key: unknown, field: string): string[] {
  if (!isObject(key)) return [`${field}: must be a JSON Web Key object`];
  if (typeof key.kty !== 'string' || !ASYMMETRIC_KEY_TYPES.includes(key.kty)) {
    return [
      `${field}.kty: must be one of ${ASYMMETRIC_KEY_TYPES.join(', ')} ` +
        '(public-key signatures only, never a shared secret)',
    ];
  }
  const secrets = SECRET_MEMBERS.filter((member) => Object.hasOwn(key, member));
  if (secrets.length > 0)
    return [`${field}: holds private key material (${secrets.join(', ')}); publish only the public key`];
  if (key.kid !== undefined && typeof key.kid !== 'string') return [`${field}.kid: must be a string`];
  try {
    createPublicKey({ key: key as JsonWebKeyInput['key'], format: 'jwk' });
  } catch (error) {
    return [`${field}: is not a valid ${key.kty} public key (${(error as Error).message})`];
  }
  return [];
}

type JsonWebKeyInput = Extract<Parameters<typeof createPublicKey>[0], { format: 'jwk' }>;
