import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import type { TokenVerifierSettings } from "../auth.ts";

/**
 * The local stand-in for Cognito: an ES256 key generated once into the data directory signs
 * tokens; the local server verifies them through the same code path as in AWS.
 */
export const DEV_ISSUER = "urn:notes:local-dev-issuer";
export const DEV_AUDIENCE = "notes-local";
const ALGORITHM = "ES256";
export const MAX_DEV_USER_ID_LENGTH = 256;

/** A user name for a dev token (sign-in form, `npm run token`): trimmed, 1 to 256 characters. */
export function devUserId(input: string): string | null {
  const trimmed = input.trim();
  return trimmed.length > 0 && trimmed.length <= MAX_DEV_USER_ID_LENGTH ? trimmed : null;
}
const KEY_FILE = "dev-issuer-key.json";

async function loadOrCreatePrivateJwk(dataDir: string): Promise<JWK> {
  const path = join(dataDir, KEY_FILE);
  try {
    return JSON.parse(await readFile(path, "utf8")) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: ALGORITHM, kid: `dev-${Date.now()}` };
  try {
    // "wx": when two processes race to create the key, the first one wins and both use it.
    await writeFile(path, JSON.stringify(jwk), { flag: "wx", mode: 0o600 });
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return JSON.parse(await readFile(path, "utf8")) as JWK;
  }
}

export async function devVerifierSettings(dataDir: string): Promise<TokenVerifierSettings> {
  const { d: _private, ...publicJwk } = await loadOrCreatePrivateJwk(dataDir);
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    key: (await importJWK(publicJwk, ALGORITHM)) as CryptoKey,
    algorithms: [ALGORITHM],
  };
}

export async function mintDevToken(
  dataDir: string,
  userId: string,
  expiresIn: string | number = "12h",
): Promise<string> {
  const jwk = await loadOrCreatePrivateJwk(dataDir);
  const key = await importJWK(jwk, ALGORITHM);
  return new SignJWT({ token_use: "id" })
    .setProtectedHeader({ alg: ALGORITHM, kid: jwk.kid, typ: "JWT" })
    .setSubject(userId)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}
