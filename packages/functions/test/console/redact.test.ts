import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, redactRequest, redactText } from "../../src/local/console/redact.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

describe("what the console shows of a request", () => {
  it("replaces variables named for credentials, at any depth, and JWT-shaped strings anywhere", () => {
    const shown = redactRequest({
      document: `mutation Login { signIn(token: "${JWT}", note: "Bearer abc.def") { id } }`,
      variables: { content: "Buy milk", password: "hunter22", input: { apiKey: "k", nested: [{ Authorization: "Bearer x" }, JWT] }, refreshToken: null },
      operationName: "Login",
    });
    expect(shown).toEqual({
      document: `mutation Login { signIn(token: "${REDACTED}", note: "Bearer ${REDACTED}") { id } }`,
      variables: { content: "Buy milk", password: REDACTED, input: { apiKey: REDACTED, nested: [{ Authorization: REDACTED }, REDACTED] }, refreshToken: null },
      operationName: "Login",
    });
  });

  it("leaves ordinary documents and variables as they were", () => {
    const request = { document: "query Notes($first: Int) { notes(first: $first) { edges { node { id } } } }", variables: { first: 10, after: "bm90ZTox" } };
    expect(redactRequest(request)).toEqual(request);
    expect(redactRequest(undefined)).toBeUndefined();
  });

  it("never lets a JWT through, whatever text surrounds it", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        expect(redactText(`${before} ${JWT} ${after}`)).not.toContain(JWT);
      }),
    );
  });
});
