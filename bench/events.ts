import type { APIGatewayProxyEventV2, Context as LambdaContext } from "aws-lambda";

/**
 * The Note fields every contender selects. `attachment` is a string until notes carry files, then
 * an object whose `url` is presigned per request (the parent decides from schema.graphql).
 */
export function noteFields(attachmentIsObject: boolean): string {
  const attachment = attachmentIsObject ? "attachment { fileName contentType size url }" : "attachment";
  return `id content ${attachment} createdAt updatedAt version`;
}

let sequence = 0;

/** An API Gateway HTTP API (payload v2) event as it reaches the function for POST /graphql. */
export function graphqlEvent(token: string, body: string): APIGatewayProxyEventV2 {
  const now = Date.now();
  const requestId = `bench-${process.pid}-${++sequence}`;
  return {
    version: "2.0",
    routeKey: "POST /graphql",
    rawPath: "/graphql",
    rawQueryString: "",
    headers: {
      accept: "application/graphql-response+json, application/json",
      "accept-encoding": "gzip, deflate, br",
      authorization: `Bearer ${token}`,
      "content-length": String(Buffer.byteLength(body)),
      "content-type": "application/json",
      host: "abc123.execute-api.us-east-1.amazonaws.com",
      "user-agent": "notes-bench/1.0",
      "x-amzn-trace-id": `Root=1-${now.toString(16)}-bench${sequence}`,
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-port": "443",
      "x-forwarded-proto": "https",
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc123",
      http: {
        method: "POST",
        path: "/graphql",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "notes-bench/1.0",
      },
      requestId,
      routeKey: "POST /graphql",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body,
    isBase64Encoded: false,
  };
}

function memoryLimitInMB(): string {
  const size = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  if (!size) throw new Error("AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not set: the benchmark sets it for every measured process");
  return size;
}

export function lambdaContext(): LambdaContext {
  const awsRequestId = `bench-invocation-${++sequence}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "prod-notes-graphql-Api-Graphql",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:prod-notes-graphql-Api-Graphql",
    // The harness sets it for every measured process, as Lambda does (the function's size, or the size emulated).
    memoryLimitInMB: memoryLimitInMB(),
    awsRequestId,
    logGroupName: "/aws/lambda/prod-notes-graphql-Api-Graphql",
    logStreamName: "2026/11/24/[$LATEST]bench",
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** GraphQL documents the benchmark sends; identical for every contender. */
export function noteBody(fields: string, id: string): string {
  const query = `query Note($id: ID!) { note(id: $id) { ${fields} } }`;
  return JSON.stringify({ query, variables: { id }, operationName: "Note" });
}

export function notesBody(fields: string, first: number, after?: string): string {
  const query = `query Notes($first: Int, $after: String) { notes(first: $first, after: $after) { edges { cursor node { ${fields} } } pageInfo { hasNextPage endCursor } } }`;
  return JSON.stringify({ query, variables: { first, after }, operationName: "Notes" });
}
