import { fork, type ChildProcess } from "node:child_process";

/** A helper process the benchmark started; `stop()` ends it and waits for it to exit. */
export interface Helper<Ready> {
  child: ChildProcess;
  ready: Ready;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Every process still running is killed when the benchmark exits, even on a crash. */
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

// Stopped from outside (Ctrl-C, kill): exit, so the exit handlers (helpers killed, CPU-quota cgroups removed) run.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  process.once(signal, () => process.exit(code));
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** The Node binary (default: the one running the benchmark). */
  execPath?: string;
  execArgv?: string[];
  args?: string[];
  timeoutMs?: number;
  /** Where the child's stdout goes: the product logs a JSON line per request there. */
  stdout?: "ignore" | "inherit";
}

/** Forks `file` with an IPC channel and resolves with the first message it sends. */
export function startHelper<Ready>(file: string, options: StartOptions = {}): Promise<Helper<Ready>> {
  const child = fork(file, options.args ?? [], {
    env: options.env ?? process.env,
    execPath: options.execPath,
    execArgv: options.execArgv ?? [],
    stdio: ["ignore", options.stdout ?? "ignore", "pipe", "ipc"],
  });
  running.add(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => running.delete(child));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${file} did not report within ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once("message", (ready) => {
      clearTimeout(timer);
      resolve({ child, ready: ready as Ready, stop });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited (${code ?? signal}) before reporting\n${stderr}`));
    });
  });
}

/** Sends one request to a helper and waits for its one reply. */
export function ask<Reply>(helper: Helper<unknown>, message: unknown, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (reply: unknown) => {
      cleanup();
      const { error, result } = reply as { error?: string; result?: Reply };
      if (error) reject(new Error(error));
      else resolve(result as Reply);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`helper exited (${code}) before replying`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      helper.child.off("message", onMessage);
      helper.child.off("exit", onExit);
    };
    helper.child.on("message", onMessage);
    helper.child.once("exit", onExit);
    helper.child.send(message as object);
  });
}
