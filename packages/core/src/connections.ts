import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { AWS_CALL_TIMING_OPTIONS, awsCallTiming } from "./aws-calls.ts";

/**
 * The one client of API Gateway's `@connections` management API: what the WebSocket handler and
 * the publisher send to a client, and how they end a connection. Its endpoint is the WebSocket
 * API's stage URL (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, set by the stacks
 * as WEBSOCKET_MANAGEMENT_ENDPOINT), or the local emulation's.
 */

/** API Gateway's limit on one WebSocket message (128 KB). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

let endpoint: string | undefined;
let client: ApiGatewayManagementApiClient | undefined;

/** Points the client at another `@connections` endpoint (the local emulation, tests). */
export function configureConnections(next: { endpoint: string }): void {
  client?.destroy();
  client = undefined;
  endpoint = next.endpoint;
}

function connectionsClient(): ApiGatewayManagementApiClient {
  if (client) return client;
  const url = endpoint ?? process.env.WEBSOCKET_MANAGEMENT_ENDPOINT;
  if (!url) throw new Error("WEBSOCKET_MANAGEMENT_ENDPOINT is not set");
  const local = !url.includes(".amazonaws.com");
  client = new ApiGatewayManagementApiClient({
    endpoint: url,
    region: process.env.AWS_REGION ?? "us-east-1",
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true }),
    // The local emulation checks no signature; fixed keys keep the SDK from searching for credentials.
    ...(local ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  });
  client.middlewareStack.add(awsCallTiming("ApiGatewayManagementApi"), AWS_CALL_TIMING_OPTIONS);
  return client;
}

/** Sends one message; false when the connection is gone (410), so the caller forgets it. */
export async function postToConnection(connectionId: string, message: string): Promise<boolean> {
  try {
    await connectionsClient().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: message }));
    return true;
  } catch (error) {
    if (isGone(error)) return false;
    throw error;
  }
}

/** Ends a connection (API Gateway closes it with a plain close frame); a gone one is already ended. */
export async function deleteConnection(connectionId: string): Promise<void> {
  try {
    await connectionsClient().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

function isGone(error: unknown): boolean {
  return error instanceof Error && (error.name === "GoneException" || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410);
}
