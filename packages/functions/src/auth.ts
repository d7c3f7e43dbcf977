import {
  createRemoteJWKSet,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyObject,
} from "jose";
import type { Caller } from "./graphql/context.ts";
import { log } from "./log.ts";

export interface TokenVerifierSettings {
  issuer: string;
  /** Expected `aud` (ID tokens) or `client_id` (Cognito access tokens). */
  audience: string;
  /** A JWKS (Cognito) or a single public key (local dev issuer). */
  key: JWTVerifyGetKey | CryptoKey | KeyObject;
  /** Pinned: tokens signed with anything else are rejected before any key is used. */
  algorithms: string[];
}

/** The request id only labels the log line of a rejected token. */
export type VerifyAuthorization = (
  authorization: string | null,
  requestId?: string,
) => Promise<Caller | null>;

const CACHE_LIMIT = 10_000;
const MAX_TOKEN_LENGTH = 8_192;

/** Cognito user pool settings: RS256 keys from the pool's JWKS. */
export function cognitoVerifierSettings(issuer: string, audience: string): TokenVerifierSettings {
  return {
    issuer,
    audience,
    key: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
    algorithms: ["RS256"],
  };
}

/** The Lambda's verifier: the Cognito pool and app client named by AUTH_ISSUER and AUTH_AUDIENCE. */
export function cognitoVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): VerifyAuthorization {
  for (const name of ["AUTH_ISSUER", "AUTH_AUDIENCE"]) {
    if (!env[name]) throw new Error(`${name} is not set`);
  }
  return createTokenVerifier(cognitoVerifierSettings(env.AUTH_ISSUER!, env.AUTH_AUDIENCE!));
}

/**
 * Turns an `Authorization` header into the caller, or null. Verified tokens are cached until
 * their `exp`, so a client's repeated requests pay for the signature check once.
 */
export function createTokenVerifier(settings: TokenVerifierSettings): VerifyAuthorization {
  const verified = new Map<string, { caller: Caller; expiresAtMs: number }>();

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
      const { payload } = await jwtVerify(token, settings.key as JWTVerifyGetKey, {
        issuer: settings.issuer,
        algorithms: settings.algorithms,
        requiredClaims: ["sub", "exp"],
      });
      checkAudience(payload, settings.audience);
      if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 256) {
        throw claimError("sub is not a usable user id", "sub");
      }
      const caller = { id: payload.sub };
      if (verified.size >= CACHE_LIMIT) verified.delete(verified.keys().next().value!);
      verified.set(token, { caller, expiresAtMs: payload.exp! * 1000 });
      return caller;
    } catch (error) {
      // The reason goes to the log only; the client just sees that it is not signed in.
      const { code, claim } = error as { code?: string; claim?: string };
      const fields = { requestId, reason: code ?? (error as Error).message, claim };
      // The key source failing (JWKS unreachable) is an outage, not a bad token.
      if (!code || code === "ERR_JWKS_TIMEOUT" || code === "ERR_JWKS_INVALID") {
        log.error("token verification unavailable", fields);
      } else log.warn("token rejected", fields);
      return null;
    }
  };
}

function checkAudience(payload: JWTPayload, audience: string): void {
  const aud = payload.aud;
  if (typeof aud === "string" ? aud === audience : Array.isArray(aud) && aud.includes(audience)) {
    return;
  }
  // Cognito access tokens carry the app client in `client_id` instead of `aud`.
  if (payload.token_use === "access" && payload.client_id === audience) return;
  throw claimError("unexpected audience", "aud");
}

function claimError(message: string, claim: string): Error {
  return Object.assign(new Error(message), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim });
}
