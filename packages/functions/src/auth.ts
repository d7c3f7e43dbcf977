import { MAX_USER_ID_CHARS } from "@notes/core/table";
import { jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Caller } from "./graphql/context.ts";
import { remoteJwks } from "./jwks.ts";
import { BoundedMap } from "./bounded-map.ts";
import { log } from "./log.ts";

/** A Cognito user pool and its app client: the only things that differ between AWS and local runs. */
export interface CognitoVerifierSettings {
  /** The pool's issuer URL, the tokens' `iss`. */
  issuer: string;
  /** Where the pool's keys are fetched; `<issuer>/.well-known/jwks.json` (as in AWS) unless given. */
  jwksUrl?: string;
  /** The app client whose access tokens (`client_id`) the API accepts. */
  clientId: string;
}

/** The request id only labels the log line of a rejected token. */
export type VerifyAuthorization = (
  authorization: string | null,
  requestId?: string,
) => Promise<Caller | null>;

const CACHE_LIMIT = 10_000;
const MAX_TOKEN_LENGTH = 8_192;
// Cognito signs with RS256 only: anything else (none, HS256 with the public key as secret) is refused before a key is used.
const ALGORITHMS = ["RS256"];

/** Thrown when the pool's keys cannot be fetched: an outage the client sees as a masked error, not as being signed out. */
export class TokenVerificationUnavailableError extends Error {}

/**
 * The Lambda's verifier: the Cognito pool and app client named by AUTH_ISSUER and AUTH_AUDIENCE;
 * AUTH_JWKS_URL only where the keys are not under the issuer (cognito-local, npm start).
 */
export function cognitoVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): VerifyAuthorization {
  for (const name of ["AUTH_ISSUER", "AUTH_AUDIENCE"]) {
    if (!env[name]) throw new Error(`${name} is not set`);
  }
  return createTokenVerifier({ issuer: env.AUTH_ISSUER!, clientId: env.AUTH_AUDIENCE!, jwksUrl: env.AUTH_JWKS_URL || undefined });
}

/**
 * Turns an `Authorization` header carrying a Cognito access token into the caller, or null: RS256
 * against the pool's JWKS (fetched over HTTP and cached by jwks.ts), issuer, expiry, `token_use` and
 * `client_id`. Verified tokens are cached until their `exp`, so repeated requests pay for the check once.
 */
export function createTokenVerifier(settings: CognitoVerifierSettings): VerifyAuthorization {
  const keys: JWTVerifyGetKey = remoteJwks(new URL(settings.jwksUrl ?? `${settings.issuer}/.well-known/jwks.json`));
  const verified = new BoundedMap<string, { caller: Caller; expiresAtMs: number }>(CACHE_LIMIT);

  return async function verifyAuthorization(authorization, requestId) {
    if (!authorization) return null;
    const match = /^Bearer[ ]+([A-Za-z0-9_.~+/=-]+)[ ]*$/i.exec(authorization);
    if (!match || match[1]!.length > MAX_TOKEN_LENGTH) {
      log.warn("token rejected", { requestId, reason: "malformed Authorization header" });
      return null;
    }
    const token = match[1]!;
    const cached = verified.get(token);
    if (cached) {
      if (Date.now() < cached.expiresAtMs) return cached.caller;
      verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        algorithms: ALGORITHMS,
        requiredClaims: ["sub", "exp", "token_use", "client_id"],
      });
      // An ID token (token_use "id", client in `aud`) is for the app, not for calling the API.
      if (payload.token_use !== "access") throw claimError("not an access token", "token_use");
      if (payload.client_id !== settings.clientId) throw claimError("unexpected app client", "client_id");
      if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > MAX_USER_ID_CHARS) {
        throw claimError("sub is not a usable user id", "sub");
      }
      const caller = { id: payload.sub };
      verified.set(token, { caller, expiresAtMs: payload.exp! * 1000 });
      return caller;
    } catch (error) {
      // The reason goes to the log only; the client just sees that it is not signed in.
      const { code, claim } = error as { code?: string; claim?: string };
      const fields = { requestId, reason: code ?? (error as Error).message, claim };
      // The key source failing is an outage, not a bad token: unreachable (no code), too slow, or an
      // answer that is not a key set (ERR_JOSE_GENERIC: not 200, not JSON, too large).
      if (!code || KEY_SOURCE_FAILURES.has(code)) {
        log.error("token verification unavailable", fields);
        throw new TokenVerificationUnavailableError("token verification unavailable");
      }
      log.warn("token rejected", fields);
      return null;
    }
  };
}

const KEY_SOURCE_FAILURES = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

function claimError(message: string, claim: string): Error {
  return Object.assign(new Error(message), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim });
}
