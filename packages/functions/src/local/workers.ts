import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

// Local server only: the Lambda's execution environments, one worker process each.

const RUNTIME = fileURLToPath(new URL("./lambda-runtime.mjs", import.meta.url));
const END_MARK = "\u001eend-of-invocation";

export interface WorkerPoolOptions {
  /** The Node binary workers run on (the Lambda's major where the machine has it). */
  node: string;
  /** Node arguments before the runtime script (the Lambda bootstrap's, sized by memory). */
  nodeArgs: string[];
  /** The function's environment (its configuration plus what Lambda sets). */
  env: Record<string, string>;
  /** The bundle's folder (LAMBDA_TASK_ROOT); reload() switches it. */
  taskRoot: string;
  /** `<module>.<export>`, as the function's handler setting. */
  handler: string;
  /** Most workers alive at once (LAMBDA_CONCURRENCY); a request beyond waits for one. */
  concurrency: number;
  /** An invocation running longer is cut off and its worker replaced; null: no limit (a debugger may pause). */
  timeoutMs: number | null;
  /** Workers run under `--inspect=<port>` (concurrency should then be 1). */
  inspectPort?: number;
  /** Each line a worker writes, raw, and whether an invocation was running (its Invoked has it too); stdout by default. */
  onLine?(line: string, duringInvocation: boolean): void;
  /** A bundle folder reload() replaced, once its last worker has exited (to delete it). */
  onUnused?(taskRoot: string): void;
}

export type InvokeOutcome =
  | { kind: "result"; result: unknown }
  | { kind: "error"; errorType: string; errorMessage: string }
  | { kind: "crash" }
  | { kind: "timeout" };

export interface Invoked {
  outcome: InvokeOutcome;
  /** The worker's first invocation. */
  cold: boolean;
  worker: number;
  logLines: string[];
}

/** The invocation failed as a Lambda invocation fails: the handler threw, its environment died, or it timed out. */
export class LambdaInvocationError extends Error {
  constructor(readonly outcome: Exclude<InvokeOutcome, { kind: "result" }>) {
    super(outcome.kind === "error" ? `${outcome.errorType}: ${outcome.errorMessage}` : `invocation ${outcome.kind}`);
  }
}

interface Running {
  lines: string[];
  marks: number;
  reply?: InvokeOutcome;
  finish(outcome: InvokeOutcome): void;
}

class Worker {
  invocations = 0;
  busy = true;
  retiring = false;
  running: Running | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;

  constructor(
    readonly number: number,
    readonly taskRoot: string,
    readonly child: ChildProcess,
    onLine: (line: string, duringInvocation: boolean) => void,
  ) {
    // A binary that cannot start reports "error" and never "exit".
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()).once("error", () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      child.once("message", () => resolve());
      void this.exited.then(() => reject(new Error("worker exited during init")));
    });
    this.ready.catch(() => {});
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        if (line === END_MARK) return this.marked();
        this.running?.lines.push(line);
        onLine(line, this.running !== undefined);
      });
    }
    child.on("message", (message: { ready?: true; result?: unknown; error?: { errorType: string; errorMessage: string } }) => {
      if (message.ready || !this.running) return;
      this.running.reply = message.error ? { kind: "error", ...message.error } : { kind: "result", result: message.result };
      this.marked(0);
    });
    void this.exited.then(() => this.running?.finish({ kind: "crash" }));
  }

  /** Done once the reply and both streams' end marks are in: every line of the invocation has been read. */
  private marked(count = 1) {
    const running = this.running;
    if (!running) return;
    running.marks += count;
    if (running.reply && running.marks >= 2) running.finish(running.reply);
  }
}

/** Lambda's execution environments for one function: one request at a time each, started on demand. */
export class WorkerPool {
  private readonly workers = new Set<Worker>();
  private readonly waiting: (() => void)[] = [];
  private taskRoot: string;
  private count = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.taskRoot = options.taskRoot;
  }

  /** Invokes the function's handler with `event`: its result, or a LambdaInvocationError. */
  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const { outcome } = await this.run(event, requestId);
    if (outcome.kind === "result") return outcome.result;
    throw new LambdaInvocationError(outcome);
  }

  /** One invocation on a free worker (started if none is free and the cap allows), with what it printed. */
  async run(event: unknown, requestId: string): Promise<Invoked> {
    const worker = await this.acquire();
    const cold = worker.invocations++ === 0;
    const outcome = await worker.ready.then(
      () => this.send(worker, event, requestId),
      (): InvokeOutcome => ({ kind: "crash" }),
    );
    const logLines = worker.running?.lines ?? [];
    worker.running = undefined;
    this.release(worker, outcome);
    return { outcome, cold, worker: worker.number, logLines };
  }

  /** New invocations run `taskRoot`'s bundle on fresh workers; the old ones finish their request, then exit. */
  reload(taskRoot: string): void {
    const previous = this.taskRoot;
    this.taskRoot = taskRoot;
    for (const worker of this.workers) this.retire(worker);
    this.reportIfUnused(previous);
  }

  /** Waits for running invocations, then stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const worker of this.workers) this.retire(worker);
    await Promise.all([...this.workers].map((worker) => worker.exited));
  }

  /** Worker numbers alive now (busy or idle). */
  get size(): number {
    return this.workers.size;
  }

  private async acquire(): Promise<Worker> {
    for (;;) {
      if (this.closed) throw new Error("the worker pool is closed");
      const idle = [...this.workers].find((worker) => !worker.busy && !worker.retiring);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.workers.size < this.options.concurrency) return this.start();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(worker: Worker, outcome: InvokeOutcome) {
    worker.busy = false;
    if (outcome.kind === "crash" || outcome.kind === "timeout" || worker.retiring) this.retire(worker);
    this.waiting.shift()?.();
  }

  private retire(worker: Worker) {
    worker.retiring = true;
    if (!worker.busy) worker.child.kill("SIGKILL");
  }

  private start(): Worker {
    const { node, nodeArgs, env, handler, inspectPort } = this.options;
    const number = ++this.count;
    const child = spawn(node, [...nodeArgs, ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []), RUNTIME], {
      env: {
        ...env,
        LAMBDA_TASK_ROOT: this.taskRoot,
        _HANDLER: handler,
        AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${randomUUID().replaceAll("-", "")}`,
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const worker = new Worker(number, this.taskRoot, child, this.options.onLine ?? ((line) => process.stdout.write(`${line}\n`)));
    this.workers.add(worker);
    void worker.exited.then(() => {
      this.workers.delete(worker);
      this.reportIfUnused(worker.taskRoot);
      // A freed slot: a waiting request may start a worker now.
      this.waiting.shift()?.();
    });
    return worker;
  }

  /** A replaced bundle's folder, once no worker runs it any more. */
  private reportIfUnused(taskRoot: string) {
    if (taskRoot === this.taskRoot || [...this.workers].some((worker) => worker.taskRoot === taskRoot)) return;
    this.options.onUnused?.(taskRoot);
  }

  private send(worker: Worker, event: unknown, requestId: string): Promise<InvokeOutcome> {
    const { timeoutMs } = this.options;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      worker.running = {
        lines: [],
        marks: 0,
        finish(outcome) {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      const deadlineMs = timeoutMs === null ? Date.now() + 900_000 : Date.now() + timeoutMs;
      if (timeoutMs !== null) {
        timer = setTimeout(() => {
          worker.running?.finish({ kind: "timeout" });
          worker.child.kill("SIGKILL");
        }, timeoutMs);
      }
      // A worker that died since it was picked: its channel is closed, and that is a crash.
      worker.child.send({ id: requestId, event, deadlineMs }, (error) => error && worker.running?.finish({ kind: "crash" }));
    });
  }
}
