import { createTokenVerifier } from "../src/auth.ts";
import { createNotesYoga, type NotesYoga, type NotesYogaOptions } from "../src/graphql/yoga.ts";
import type { TestIssuer } from "./test-issuer.ts";

/** Shared by the GraphQL-layer suites: an in-process yoga (the client: graphql-client.ts; the user pool: test-issuer.ts). */
export const GRAPHQL_URL = "http://localhost/graphql";

export function createTestYoga(
  issuer: TestIssuer,
  options: Omit<NotesYogaOptions, "verifyAuthorization"> = {},
): NotesYoga {
  return createNotesYoga({ ...options, verifyAuthorization: createTokenVerifier(issuer.settings) });
}
