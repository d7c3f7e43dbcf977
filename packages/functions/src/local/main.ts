import { flushLogs, log } from "../log.ts";
import { startLocalServer } from "./server.ts";
import { localSettingsFromEnv } from "./settings.ts";

/** `npm start`: the API and GraphiQL on localhost, data under DATA_DIR, no AWS needed. */
const started = performance.now();
const settings = localSettingsFromEnv();
const server = await startLocalServer(settings);

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
