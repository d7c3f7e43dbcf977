import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  type CreateUserPoolClientCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { log } from "../log.ts";

/**
 * cognito-local (the Cognito user-pool emulator) as a child process of the local server, its
 * state in DATA_DIR/cognito. Its maintainers support the CLI, not in-process use.
 */
export interface LocalCognito {
  /** Where the Cognito API answers, e.g. http://127.0.0.1:41234 (a free port each run). */
  endpoint: string;
  userPoolId: string;
  clientId: string;
  /** The `iss` of its tokens: the same on every run on this data directory, whatever the port. */
  issuer: string;
  jwksUrl: string;
  close(): Promise<void>;
}

export interface LocalCognitoOptions {
  dataDir: string;
  host: string;
  /** The emulator sends no emails: each code it would have sent is handed here. */
  onConfirmationCode?(destination: string, code: string): void;
}

/** Not a real host (RFC 2606 `.invalid`): the issuer names the local pool, it is never fetched. */
export const LOCAL_ISSUER_DOMAIN = "http://cognito-local.invalid";
const POOL_FILE = "pool.json";
const RUNNING_FILE = "running.json";
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const READY = /Cognito Local running on (http:\/\/\S+)/;

/** The app client, as the deployed one (stacks/Auth.ts): public, password sign-in and refresh, CDK's token lifetimes. */
export const APP_CLIENT_SETTINGS: Omit<CreateUserPoolClientCommandInput, "UserPoolId"> = {
  ClientName: "web",
  GenerateSecret: false,
  ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  PreventUserExistenceErrors: "ENABLED",
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
};

export function cognitoDir(dataDir: string): string {
  return join(dataDir, "cognito");
}

/** An SDK client for the emulator; it checks no signatures, but the SDK insists on credentials. */
export function localCognitoClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

export async function startLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const dir = cognitoDir(options.dataDir);
  await mkdir(join(dir, ".cognito"), { recursive: true });
  // A fixed IssuerDomain (its default embeds the port) keeps tokens valid across restarts on any PORT.
  await writeFile(
    join(dir, ".cognito", "config.json"),
    JSON.stringify({ TokenConfig: { IssuerDomain: LOCAL_ISSUER_DOMAIN }, UserPoolDefaults: { UsernameAttributes: ["email"] } }),
  );
  const child = spawnEmulator(dir, options.host);
  try {
    const endpoint = await readyEndpoint(child, options);
    const cognito = localCognitoClient(endpoint);
    const { userPoolId, clientId } = await ensurePool(cognito, dir);
    cognito.destroy();
    await writeFile(join(dir, RUNNING_FILE), JSON.stringify({ endpoint, pid: process.pid }));
    let closing: Promise<void> | undefined;
    return {
      endpoint,
      userPoolId,
      clientId,
      issuer: `${LOCAL_ISSUER_DOMAIN}/${userPoolId}`,
      jwksUrl: `${endpoint}/${userPoolId}/.well-known/jwks.json`,
      close() {
        closing ??= rm(join(dir, RUNNING_FILE), { force: true }).then(() => stopEmulator(child));
        return closing;
      },
    };
  } catch (error) {
    await stopEmulator(child);
    throw error;
  }
}

/**
 * cognito-local rewrites a pool's whole JSON file in place (truncate, then write) on every change,
 * with fs.writeFile: an exit or a second write in the middle leaves a file that does not parse,
 * and the emulator then refuses to start. In its process each .json write goes to a temporary file
 * renamed over the old one, so a reader, a restart or a crash only ever sees a whole file.
 */
const ATOMIC_STORE_WRITES = `{
  const fs = require("node:fs");
  const writeFile = fs.writeFile;
  let writes = 0;
  fs.writeFile = function (path, data, ...rest) {
    const done = rest.pop();
    if (typeof path !== "string" || !path.endsWith(".json")) return writeFile.call(fs, path, data, ...rest, done);
    const temporary = path + "." + process.pid + "." + writes++ + ".tmp";
    writeFile.call(fs, temporary, data, ...rest, (error) => (error ? done(error) : fs.rename(temporary, path, done)));
  };
}`;

function spawnEmulator(cwd: string, host: string): ChildProcess {
  const bin = createRequire(import.meta.url).resolve("cognito-local/lib/bin/start.js");
  // The emulator exits when our end of its stdin closes, so even a crashed or killed server leaves no orphan.
  const watchdog = `process.stdin.on("end", () => process.exit(0)).resume(); ${ATOMIC_STORE_WRITES} require(${JSON.stringify(bin)});`;
  return spawn(process.execPath, ["-e", watchdog], {
    cwd,
    env: { ...process.env, PORT: "0", HOST: host, NODE_NO_WARNINGS: "1", NODE_OPTIONS: "" },
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group: Ctrl-C reaches the server alone, which stops the emulator after its own requests finish.
    detached: true,
  });
}

/** Waits for the emulator's ready line; afterwards its output is read for confirmation codes and problems. */
function readyEndpoint(child: ChildProcess, options: LocalCognitoOptions): Promise<string> {
  const recent: string[] = [];
  let box: string[] | null = null;
  return new Promise<string>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`cognito-local ${why}:\n${recent.join("\n")}`));
    const timer = setTimeout(() => fail(`did not start in ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(`exited (${signal ?? code})`);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const onLine = (raw: string) => {
      const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
      recent.push(line);
      if (recent.length > 40) recent.shift();
      const ready = READY.exec(line);
      if (ready) {
        clearTimeout(timer);
        // It prints the bound address (::1 unbracketed for IPv6); the URL names the host it was asked for.
        const host = options.host.includes(":") ? `[${options.host}]` : options.host;
        resolve(`http://${host}:${/:(\d+)$/.exec(ready[1]!)![1]}`);
        return;
      }
      // A code is printed as a box of "Field: value" lines; the box ends with its bottom border.
      if (line.includes("Confirmation Code Delivery")) box = [];
      else if (box) {
        box.push(line);
        if (line.includes("╰")) {
          const field = (name: string) => box!.map((l) => new RegExp(`${name}:\\s+(\\S+)`).exec(l)?.[1]).find(Boolean);
          const destination = field("Destination");
          const code = field("Code");
          if (destination && code) options.onConfirmationCode?.(destination, code);
          box = null;
        }
      } else if (/unsupported feature/i.test(line)) {
        log.warn("cognito-local cannot do what was asked", { detail: line.slice(0, 300) });
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = "";
      stream.setEncoding("utf8").on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        lines.forEach(onLine);
      });
    }
  });
}

async function stopEmulator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

interface PoolIds {
  userPoolId: string;
  clientId: string;
}

/** The pool and app client are created once per data directory, like the deployed ones; their ids are kept beside the emulator's state. */
async function ensurePool(cognito: CognitoIdentityProviderClient, dir: string): Promise<PoolIds> {
  const existing = await readPoolIds(dir);
  if (existing) {
    try {
      await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: existing.userPoolId, ClientId: existing.clientId }));
      return existing;
    } catch (error) {
      if ((error as Error).name !== "ResourceNotFoundException") throw error;
    }
  }
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: "notes-local",
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      // Cognito's default policy, which the deployed pool keeps (cognito-local stores it but does not enforce it).
      Policies: {
        PasswordPolicy: { MinimumLength: 8, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
      },
    }),
  );
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({ ...APP_CLIENT_SETTINGS, UserPoolId: UserPool!.Id! }),
  );
  const ids = { userPoolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
  await writeFile(join(dir, POOL_FILE), JSON.stringify(ids));
  return ids;
}

export async function readPoolIds(dir: string): Promise<PoolIds | null> {
  try {
    return JSON.parse(await readFile(join(dir, POOL_FILE), "utf8")) as PoolIds;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The emulator of the `npm start` running on this data directory, or null when none is. */
export async function runningEndpoint(dataDir: string): Promise<string | null> {
  try {
    return (JSON.parse(await readFile(join(cognitoDir(dataDir), RUNNING_FILE), "utf8")) as { endpoint: string }).endpoint;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** `npm run token`'s users: `<name>@example.com`, a name that is also a valid email local part. */
export const LOCAL_USER_NAME = /^[a-z0-9._+-]{1,64}$/i;

export class NoLocalServerError extends Error {}

/**
 * Signs `<name>@example.com` in to the local pool of the server running on this data directory,
 * creating the user with a generated password (kept in DATA_DIR) on first use; the access token.
 */
export async function localUserToken(dataDir: string, name: string): Promise<string> {
  const dir = cognitoDir(dataDir);
  const [endpoint, ids] = await Promise.all([runningEndpoint(dataDir), readPoolIds(dir)]);
  if (!endpoint || !ids) throw new NoLocalServerError(`no local server is running on ${dataDir}`);
  const email = `${name.toLowerCase()}@example.com`;
  const password = await localUserPassword(dir, email);
  const cognito = localCognitoClient(endpoint);
  const signIn = () =>
    cognito.send(
      new InitiateAuthCommand({
        ClientId: ids.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
  try {
    let result;
    try {
      result = await signIn();
    } catch (error) {
      if (!["NotAuthorizedException", "UserNotFoundException", "InvalidPasswordException"].includes((error as Error).name)) throw error;
      await createConfirmedUser(cognito, ids.userPoolId, email, password);
      result = await signIn();
    }
    return result.AuthenticationResult!.AccessToken!;
  } catch (error) {
    const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    if (code === "ECONNREFUSED") throw new NoLocalServerError(`no local server is running on ${dataDir}`);
    throw error;
  } finally {
    cognito.destroy();
  }
}

/** A confirmed user with this password (an existing one gets it as its password). */
export async function createConfirmedUser(cognito: CognitoIdentityProviderClient, userPoolId: string, email: string, password: string) {
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
  } catch (error) {
    // Signed up in the web app (or created by a concurrent run): the kept password becomes its password.
    if ((error as Error).name !== "UsernameExistsException") throw error;
  }
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: password, Permanent: true }));
}

async function localUserPassword(dir: string, email: string): Promise<string> {
  const usersDir = join(dir, "token-users");
  const path = join(usersDir, `${encodeURIComponent(email)}.json`);
  try {
    return (JSON.parse(await readFile(path, "utf8")) as { password: string }).password;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(usersDir, { recursive: true });
  // Meets Cognito's default policy: lower, upper, digit and symbol, whatever the random part holds.
  const password = `${randomBytes(18).toString("base64url")}aA1!`;
  try {
    // "wx": when two runs race to create it, the first one wins and both use it.
    await writeFile(path, JSON.stringify({ password }), { flag: "wx", mode: 0o600 });
    return password;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return (JSON.parse(await readFile(path, "utf8")) as { password: string }).password;
  }
}
