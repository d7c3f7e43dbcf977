import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

/** jose's createRemoteJWKSet defaults, kept. */
const TIMEOUT_MS = 5_000;
const MAX_AGE_MS = 10 * 60_000;
const COOLDOWN_MS = 30_000;
/** A key set is a few KB; anything this large is not one. */
const MAX_BODY_BYTES = 1_048_576;

/**
 * A remote JSON Web Key Set with createRemoteJWKSet's behaviour (fetched on first use, kept 10
 * minutes, refetched for an unknown `kid` at most every 30 s, 5 s timeout, the same error codes),
 * fetched with node:http(s) instead of `fetch()`: jose's version builds a `Headers` when created
 * and calls `fetch()`, and loading Node's fetch (undici) cost every cold start ≈ 25 ms of CPU.
 */
export function remoteJwks(url: URL): JWTVerifyGetKey {
  let local: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  const reload = () =>
    (pending ??= fetchJwks(url)
      .then((jwks) => {
        local = createLocalJWKSet(jwks);
        fetchedAt = Date.now();
      })
      .finally(() => {
        pending = undefined;
      }));

  return async (protectedHeader, token) => {
    if (!local || Date.now() >= fetchedAt + MAX_AGE_MS) await reload();
    try {
      return await local!(protectedHeader, token);
    } catch (error) {
      // Keys rotate: a kid we do not know yet may be in a fresher set.
      if (error instanceof errors.JWKSNoMatchingKey && Date.now() >= fetchedAt + COOLDOWN_MS) {
        await reload();
        return local!(protectedHeader, token);
      }
      throw error;
    }
  };
}

function fetchJwks(url: URL): Promise<JSONWebKeySet> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(
      url,
      { method: "GET", headers: { accept: "application/json, application/jwk-set+json" } },
      (response) => readJwks(response).then(resolve, (error) => reject(timedOut ? new errors.JWKSTimeout() : error)),
    );
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new errors.JWKSTimeout());
    }, TIMEOUT_MS);
    request.on("close", () => clearTimeout(timer));
    // Like fetch()'s "fetch failed": no error code, so the verifier reads it as an outage, not a bad token.
    request.on("error", (cause) => reject(cause instanceof errors.JOSEError ? cause : new Error("JWKS request failed", { cause })));
    request.end();
  });
}

async function readJwks(response: IncomingMessage): Promise<JSONWebKeySet> {
  if (response.statusCode !== 200) {
    response.resume();
    throw new errors.JOSEError("Expected 200 OK from the JSON Web Key Set HTTP response");
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) {
      response.destroy();
      throw new errors.JOSEError("The JSON Web Key Set HTTP response is too large");
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as JSONWebKeySet;
  } catch (cause) {
    throw new errors.JOSEError("Failed to parse the JSON Web Key Set HTTP response as JSON", { cause });
  }
}
