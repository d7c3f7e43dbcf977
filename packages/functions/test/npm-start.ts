import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm start` as a user runs it: the entry point as a child process in its own process group (so
 * Ctrl-C reaches it and cognito-local), its output kept; stop() is that Ctrl-C.
 */
export interface NpmStart {
  url: string;
  origin: string;
  cognitoEndpoint: string;
  stdout(): string;
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const READY = /Notes API ready in \d+ ms: (http:\/\/\S+)/;

export async function npmStart(env: Record<string, string>): Promise<NpmStart> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "packages/functions/src/local/main.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not ready in 60 s:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout!.on("data", () => {
      const ready = READY.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited:\n${stdout}\n${stderr}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    cognitoEndpoint: /Cognito:  (http:\/\/\S+)/.exec(stdout)![1]!,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGINT");
      await exited;
    },
  };
}
