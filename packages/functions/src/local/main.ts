import { DataDirectoryInUseError } from "@notes/core/embedded-dynamo";
import { flushLogs, log } from "../log.ts";
import { startLocalServer, type LocalServer } from "./server.ts";
import { localSettingsFromEnv, type LocalSettings } from "./settings.ts";

/** `npm start`: the API and GraphiQL on localhost, data under DATA_DIR, no AWS needed. */
const started = performance.now();
const settings = localSettingsFromEnv();
const server = await startOrExplain(settings);

process.stdout.write(
  [
    `Notes API ready in ${Math.round(performance.now() - started)} ms: ${server.url}`,
    `  GraphiQL: open ${server.url} in a browser`,
    `  Web app:  ${server.url.replace(/graphql$/, "")}`,
    `  Data:     ${settings.dataDir}`,
    `  Token:    npm run token -- <userId>   (then send "Authorization: Bearer <token>")`,
    "",
  ].join("\n"),
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => {
    log.error("shutdown timed out", { signal });
    process.exit(1);
  }, 10_000);
  timer.unref();
  await server.close();
  flushLogs();
  process.stdout.write(`Stopped (${signal}).\n`);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

/** The two ways a second `npm start` fails, said in one line with what to do, not as a stack trace. */
async function startOrExplain(settings: LocalSettings): Promise<LocalServer> {
  try {
    return await startLocalServer(settings);
  } catch (error) {
    if (error instanceof DataDirectoryInUseError) {
      return exit(
        `Another process (another npm start?) is using the data in ${settings.dataDir}. ` +
          "Stop it, or start this one with DATA_DIR=<another directory>.",
      );
    }
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      return exit(
        `Port ${settings.port} on ${settings.host} is already in use (another npm start?). ` +
          "Stop that process, or start this one with PORT=<another port>.",
      );
    }
    throw error;
  }
}

function exit(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
