// A function for the worker pool's tests: it does what each event asks, as a real handler might.
let invocations = 0;

export async function handler(event, context) {
  invocations += 1;
  console.log(JSON.stringify({ message: "invoked", requestId: context.awsRequestId, invocations }));
  const body = event.body ? JSON.parse(event.body) : {};
  if (body.crash) process.kill(process.pid, "SIGKILL");
  if (body.hang) await new Promise(() => setInterval(() => {}, 1000));
  if (body.throw) throw new TypeError("the handler threw");
  if (body.waitFor) await new Promise((resolve) => setTimeout(resolve, body.waitFor));
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      pid: process.pid,
      node: process.version,
      invocations,
      remainingMs: context.getRemainingTimeInMillis(),
      context: {
        awsRequestId: context.awsRequestId,
        functionName: context.functionName,
        memoryLimitInMB: context.memoryLimitInMB,
        invokedFunctionArn: context.invokedFunctionArn,
        logGroupName: context.logGroupName,
      },
    }),
  };
}
