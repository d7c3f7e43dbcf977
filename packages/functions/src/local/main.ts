import { DataDirectoryInUseError } from "@notes/core/embedded-dynamo";
import { log, tapLines } from "../log.ts";
import { startLocalServer, type LocalServer } from "./server.ts";
import { localSettingsFromEnv, type LocalSettings } from "./settings.ts";
import { createTerminal } from "./terminal.ts";

/** `npm start`: the API and GraphiQL on localhost, data under DATA_DIR, no AWS needed. */
const started = performance.now();
const settings = settingsOrExplain();
// This process's own JSON log lines go to the terminal (the function's come with its invocations).
const [stdout, stderr] = [process.stdout, process.stderr].map((stream) => tapLines(stream, (line) => terminal.line(line)));
const terminal = createTerminal(settings.logFormat ?? "readable", stdout!, stderr!);
const server = await startOrExplain(settings);

process.stdout.write(
  [
    `Notes API ready in ${Math.round(performance.now() - started)} ms: ${server.url}`,
    `  GraphiQL: open ${server.url} in a browser`,
    `  Web app:  ${server.url.replace(/graphql$/, "")}`,
    `  Console:  ${server.consoleUrl}   (invocations and their logs, items, files, users; GraphiQL as any user)`,
    `  Data:     ${settings.dataDir}`,
    `  Cognito:  ${server.cognito.endpoint} (cognito-local, user pool ${server.cognito.userPoolId}, app client ${server.cognito.clientId})`,
    `  Token:    ${tokenCommand(settings)}   (then send "Authorization: Bearer <token>")`,
    "  Sign-up confirmation and password-reset codes are printed here (the local pool sends no emails).",
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
  process.stdout.write(`Stopped (${signal}).\n`);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

/** The local pool sends no emails: its codes are shown here, one greppable line each. */
function printConfirmationCode(destination: string, code: string) {
  process.stdout.write(`Confirmation code for ${destination}: ${code}\n`);
}

/** The token command finds the running pool through DATA_DIR: a command for another directory fails. */
function tokenCommand(settings: LocalSettings): string {
  const command = "npm run token -- <name>";
  return settings.dataDir === localSettingsFromEnv({}).dataDir ? command : `DATA_DIR=${settings.dataDir} ${command}`;
}

function settingsOrExplain(): LocalSettings {
  try {
    return { ...localSettingsFromEnv(), watch: process.argv.includes("--watch") };
  } catch (error) {
    return exit(`Cannot start: ${(error as Error).message}.`);
  }
}

/**
 * What a user can fix (a port or data directory in use or unusable) is said in one line with
 * what to do, not as a stack trace; anything else is a bug and keeps its stack.
 */
async function startOrExplain(settings: LocalSettings): Promise<LocalServer> {
  try {
    return await startLocalServer(settings, {
      onConfirmationCode: printConfirmationCode,
      onInvocation: terminal.invocation,
      // A worker's lines outside any invocation (its start, a crash) are shown as they come.
      onLambdaLine: (line, duringInvocation) => duringInvocation || terminal.line(line),
    });
  } catch (error) {
    const explained = explainStartFailure(error, settings);
    if (explained) return exit(explained);
    throw error;
  }
}

function explainStartFailure(error: unknown, settings: LocalSettings): string | undefined {
  const { code, cause } = error as { code?: string; cause?: { message?: string } };
  if (error instanceof DataDirectoryInUseError) {
    return (
      `Another process (another npm start?) is using the data in ${settings.dataDir}. ` +
      "Stop it, or start this one with DATA_DIR=<another directory>."
    );
  }
  if (code === "EADDRINUSE") {
    return (
      `Port ${settings.port} on ${settings.host} is already in use (another npm start?). ` +
      "Stop that process, or start this one with PORT=<another port>."
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "EACCES" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `Cannot listen on ${settings.host}:${settings.port} (${code}). Set HOST and PORT to an address this machine has.`;
  }
  if (code === "LEVEL_DATABASE_NOT_OPEN") {
    return `Cannot open the data in ${settings.dataDir}: ${cause?.message ?? code}. Set DATA_DIR to a writable directory.`;
  }
  return undefined;
}

function exit(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
