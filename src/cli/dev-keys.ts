import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { PROJECT_ROOT } from '../project-root';

/**
 * The local development client: a key pair generated on each developer's machine into a git-ignored folder,
 * so no private key is ever committed. deploy/trust/trust.development.json trusts the public half from there.
 */
export const DEV_KEYS_DIR = path.join(PROJECT_ROOT, '.dev-keys');
/** The `iss` of development tokens; deploy/trust/trust.development.json lists the same. */
export const DEV_ISSUER = 'spine-cds-development';
const DEV_ALGORITHM = 'ES384';

const PRIVATE_KEY_FILE = 'private-key.jwk.json';
export const PUBLIC_JWKS_FILE = 'jwks.json';

interface DevKey {
  privateJwk: JWK;
  kid: string;
}

/** Loads the development key pair from `dir`, creating it on first use; `created` says which happened. */
export async function ensureDevKeyPair(dir: string = DEV_KEYS_DIR): Promise<DevKey & { created: boolean }> {
  const privateFile = path.join(dir, PRIVATE_KEY_FILE);
  if (fs.existsSync(privateFile)) {
    const privateJwk = JSON.parse(fs.readFileSync(privateFile, 'utf8')) as JWK;
    return { privateJwk, kid: privateJwk.kid as string, created: false };
  }
  const { privateKey, publicKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: DEV_ALGORITHM, use: 'sig' };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(privateFile, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  const jwks = { keys: [{ ...publicJwk, kid, alg: DEV_ALGORITHM, use: 'sig' }] };
  fs.writeFileSync(path.join(dir, PUBLIC_JWKS_FILE), `${JSON.stringify(jwks, null, 2)}\n`);
  return { privateJwk, kid, created: true };
}

export interface DevTokenRequest {
  /** The full URL of the endpoint the token is for (its `aud`). */
  audience: string;
  tenant?: string;
  lifetimeSeconds: number;
  now?: Date;
}

/** A CDS Hooks client JWT signed with the development key, shaped as the CDS Hooks Sandbox sends them. */
export async function mintDevToken(key: DevKey, request: DevTokenRequest): Promise<string> {
  const issuedAt = Math.floor((request.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ ...(request.tenant ? { tenant: request.tenant } : {}) })
    .setProtectedHeader({ alg: DEV_ALGORITHM, typ: 'JWT', kid: key.kid })
    .setIssuer(DEV_ISSUER)
    .setAudience(request.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + request.lifetimeSeconds)
    .setJti(randomUUID())
    .sign(await importJWK(key.privateJwk, DEV_ALGORITHM));
}
