/** The user pool the app signs in with: Amazon Cognito in AWS, cognito-local locally. */
export interface CognitoConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** Cognito's API endpoint when it is not the region's own (the local emulator). */
  endpoint?: string;
}

/** Where the app finds the API and its user pool; baked in at build time from VITE_ variables. */
export interface AppConfig {
  apiUrl: string;
  /** Where subscriptions go (graphql-transport-ws): VITE_WEBSOCKET_URL, else the API URL as ws(s)://. */
  websocketUrl: string;
  /** Null when the build was not given a user pool (an unfilled deploy). */
  cognito: CognitoConfig | null;
}

export const PAGE_SIZE = 10;

export const APP_SETTINGS = [
  "VITE_API_URL",
  "VITE_REGION",
  "VITE_USER_POOL_ID",
  "VITE_USER_POOL_CLIENT_ID",
  "VITE_USER_POOL_ENDPOINT",
  "VITE_WEBSOCKET_URL",
] as const;

type Env = Partial<Record<(typeof APP_SETTINGS)[number], string>>;

/**
 * The same settings locally and deployed: SST's StaticSite fills them into the deployed build;
 * the local server fills them into the build `npm start` serves. Without VITE_API_URL the app
 * calls `/graphql` on its own origin.
 */
export function appConfigFrom(env: Env, origin: string = globalThis.location?.origin ?? "http://localhost"): AppConfig {
  const apiUrl = setting(env.VITE_API_URL) ?? "/graphql";
  // Locally the WebSocket is the API's own URL (ws://…/graphql); in AWS it is its own API.
  const websocketUrl = setting(env.VITE_WEBSOCKET_URL) ?? new URL(apiUrl, origin).href.replace(/^http/, "ws");
  const region = setting(env.VITE_REGION);
  const userPoolId = setting(env.VITE_USER_POOL_ID);
  const clientId = setting(env.VITE_USER_POOL_CLIENT_ID);
  const endpoint = setting(env.VITE_USER_POOL_ENDPOINT);
  if (!region || !userPoolId || !clientId) return { apiUrl, websocketUrl, cognito: null };
  return { apiUrl, websocketUrl, cognito: { region, userPoolId, clientId, ...(endpoint && { endpoint }) } };
}

function setting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  // A build-time placeholder ("{{ VITE_API_URL }}") means nothing filled it in.
  return trimmed && !/^\{\{.*\}\}$/.test(trimmed) ? trimmed : undefined;
}
