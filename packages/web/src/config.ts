/** Where the app finds the API and how it signs users in; baked in at build time from VITE_ variables. */
export type AuthConfig =
  | { kind: "local"; signInUrl: string }
  | { kind: "cognito"; region: string; userPoolId: string; clientId: string };

export interface AppConfig {
  apiUrl: string;
  auth: AuthConfig;
}

export const PAGE_SIZE = 10;

type Env = Partial<Record<"VITE_API_URL" | "VITE_REGION" | "VITE_USER_POOL_ID" | "VITE_USER_POOL_CLIENT_ID", string>>;

/**
 * With no VITE_ variables (the local build that `npm start` serves) the app talks to its own
 * origin and the local server's dev sign-in; the SST StaticSite injects the deployed values.
 */
export function appConfigFrom(env: Env): AppConfig {
  const apiUrl = setting(env.VITE_API_URL) ?? "/graphql";
  const region = setting(env.VITE_REGION);
  const userPoolId = setting(env.VITE_USER_POOL_ID);
  const clientId = setting(env.VITE_USER_POOL_CLIENT_ID);
  if (region && userPoolId && clientId) {
    return { apiUrl, auth: { kind: "cognito", region, userPoolId, clientId } };
  }
  return { apiUrl, auth: { kind: "local", signInUrl: new URL("/dev/sign-in", absolute(apiUrl)).href } };
}

function setting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  // SST's build-time placeholder ("{{ VITE_API_URL }}") means the deploy has not filled it in.
  return trimmed && !/^\{\{.*\}\}$/.test(trimmed) ? trimmed : undefined;
}

function absolute(url: string): URL {
  return new URL(url, typeof location === "undefined" ? "http://localhost" : location.href);
}
