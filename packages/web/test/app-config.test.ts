import { describe, expect, it } from "vitest";
import { describeAuthError, passwordProblem } from "../src/auth/cognito.ts";
import { appConfigFrom } from "../src/config.ts";

describe("appConfigFrom (the VITE_ settings filled into a build)", () => {
  it("with the deployed values, uses the API URL and Cognito's own endpoint", () => {
    expect(
      appConfigFrom({
        VITE_API_URL: "https://abc.execute-api.eu-west-1.amazonaws.com/graphql",
        VITE_REGION: "eu-west-1",
        VITE_USER_POOL_ID: "eu-west-1_AbC",
        VITE_USER_POOL_CLIENT_ID: "client123",
        VITE_USER_POOL_ENDPOINT: "{{ VITE_USER_POOL_ENDPOINT }}",
      }),
    ).toEqual({
      apiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/graphql",
      websocketUrl: "wss://abc.execute-api.eu-west-1.amazonaws.com/graphql",
      cognito: { region: "eu-west-1", userPoolId: "eu-west-1_AbC", clientId: "client123" },
    });
  });

  it("with the local server's values, talks to its own origin and the local pool's endpoint", () => {
    expect(
      appConfigFrom({
        VITE_API_URL: "{{ VITE_API_URL }}",
        VITE_REGION: "local",
        VITE_USER_POOL_ID: "local_AbC",
        VITE_USER_POOL_CLIENT_ID: "client123",
        VITE_USER_POOL_ENDPOINT: "http://localhost:41234",
      }, "http://localhost:4000"),
    ).toEqual({
      apiUrl: "/graphql",
      websocketUrl: "ws://localhost:4000/graphql",
      cognito: { region: "local", userPoolId: "local_AbC", clientId: "client123", endpoint: "http://localhost:41234" },
    });
  });

  it("takes the deployed WebSocket API's URL when given (it is not the HTTP API's)", () => {
    expect(
      appConfigFrom({
        VITE_API_URL: "https://abc.execute-api.eu-west-1.amazonaws.com/graphql",
        VITE_WEBSOCKET_URL: "wss://xyz.execute-api.eu-west-1.amazonaws.com/prod",
      }).websocketUrl,
    ).toBe("wss://xyz.execute-api.eu-west-1.amazonaws.com/prod");
  });

  it("treats unfilled build placeholders as unset: no user pool, no sign-in", () => {
    const config = appConfigFrom({
      VITE_API_URL: "{{ VITE_API_URL }}",
      VITE_REGION: "us-east-1",
      VITE_USER_POOL_ID: "{{ VITE_USER_POOL_ID }}",
      VITE_USER_POOL_CLIENT_ID: "{{ VITE_USER_POOL_CLIENT_ID }}",
    });
    expect(config).toMatchObject({ apiUrl: "/graphql", cognito: null });
  });
});

describe("what the sign-in pages say", () => {
  it("checks Cognito's default password policy before the pool does (the emulator does not)", () => {
    expect(passwordProblem("Sh0rt!")).toMatch(/8 characters/);
    expect(passwordProblem("alllowercase1!")).toMatch(/uppercase/);
    expect(passwordProblem("NoNumbers!!")).toMatch(/number/);
    expect(passwordProblem("NoSymbols123")).toMatch(/symbol/);
    expect(passwordProblem("Good-Passw0rd")).toBeNull();
  });

  it("names each Cognito error a user can cause in words, and never echoes a raw exception", () => {
    const error = (name: string) => Object.assign(new Error("raw service text"), { name });
    expect(describeAuthError(error("NotAuthorizedException"), "sign-in")).toBe("Incorrect email or password.");
    // cognito-local's answer to a wrong password reads the same as Cognito's.
    expect(describeAuthError(error("InvalidPasswordException"), "sign-in")).toBe("Incorrect email or password.");
    expect(describeAuthError(error("InvalidPasswordException"), "sign-up")).toMatch(/too weak/);
    expect(describeAuthError(error("UsernameExistsException"), "sign-up")).toMatch(/already exists/);
    expect(describeAuthError(error("CodeMismatchException"), "confirm")).toMatch(/code is not right/);
    expect(describeAuthError(error("ExpiredCodeException"), "reset")).toMatch(/expired/);
    expect(describeAuthError(error("LimitExceededException"), "forgot")).toMatch(/Too many attempts/);
    expect(describeAuthError(error("UserNotConfirmedException"), "sign-in")).toMatch(/Confirm your email/);
    expect(describeAuthError(error("SomethingNew"), "sign-in")).toBe("Something went wrong (SomethingNew). Please try again.");
    for (const name of ["NotAuthorizedException", "CodeMismatchException", "SomethingNew"]) {
      expect(describeAuthError(error(name), "sign-in")).not.toContain("raw service text");
    }
  });
});
