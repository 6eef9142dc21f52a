import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTHeaderParameters,
} from 'jose';

/** A client's signing key, generated in the test; `publicJwk` is what a trust file or JWKS publishes. */
export interface SigningKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(alg: 'ES384' | 'RS384' | 'ES256', kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface TokenOptions {
  iss: string;
  aud: string | string[];
  now: Date;
  /** Extra or replacement claims; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Extra or replacement protected header members. */
  header?: Partial<JWTHeaderParameters>;
}

/** A CDS Hooks client JWT: 5-minute lifetime and a fresh jti, as the Sandbox sends them. */
export function sign(key: SigningKey, options: TokenOptions): Promise<string> {
  const iat = Math.floor(options.now.getTime() / 1000);
  const claims: JWTPayload = {
    iss: options.iss,
    aud: options.aud,
    iat,
    exp: iat + 300,
    jti: randomUUID(),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid, ...options.header })
    .sign(key.privateKey);
}

/** Writes a trust file into a fresh temporary folder and returns its path. */
export function writeTrustFile(trust: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-trust-'));
  const file = path.join(dir, 'trust.json');
  fs.writeFileSync(file, JSON.stringify(trust, null, 2));
  return file;
}

export interface JwksServer {
  url: string;
  /** How many times the key set was fetched. */
  hits: () => number;
  publish(keys: JWK[]): void;
  /** Delays every answer, e.g. beyond the service's JWKS timeout. */
  delay(ms: number): void;
  close(): Promise<void>;
}

/** Publishes a JSON Web Key Set over HTTP on loopback, as an issuer's jku URL does. */
export async function startJwksServer(): Promise<JwksServer> {
  let keys: JWK[] = [];
  let hits = 0;
  let delayMs = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => hits,
    publish: (next) => {
      keys = next;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
