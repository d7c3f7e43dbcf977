import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { graphqlEvent, lambdaContext, noteBody, notesBody } from "./events.ts";
import { paired } from "./pairing.ts";

/**
 * One contender in its own plain Node process (the Lambda's NODE_OPTIONS), like one Lambda
 * instance: either a handler bundle, invoked in-process with API Gateway v2 events, or a raw
 * DocumentClient doing the GetCommand the handler's note(id) boils down to. The parent
 * alternates short blocks between contender processes, so machine noise hits both alike and
 * no process ever holds a second copy of the SDK or of GraphQL.
 */
type Result = { statusCode?: number; body?: string };
type Handler = (event: unknown, context: unknown) => Promise<Result>;

export interface ContenderSetup {
  /** A handler bundle, or "raw" for the bare GetCommand. */
  bundle: string | "raw";
  endpoint: string;
  tableName: string;
  noteId: string;
  /** The Note selection of every query (events.ts noteFields). */
  noteFields: string;
  smallUser: { userId: string; token: string };
  bigUser: { token: string };
}

/** What one request is: the note, a first page (25 or 50,000 notes) or a deep page. */
export type RequestKind = "note" | "list-small" | "list-big" | "list-deep";

export type ContenderRequest =
  | { op: "prepare"; deepPage: number }
  | { op: "sequential"; kinds: RequestKind[]; rounds: number }
  | { op: "throughput"; concurrency: number; ms: number }
  /** One request through the handler, answer unchecked: how the parent sets data up through the API. */
  | { op: "invoke"; token: string; body: string };

const setup = JSON.parse(process.env.BENCH_CONTENDER_SETUP!) as ContenderSetup;

/** One request of a kind; resolves, once its answer is checked, with the ms the request itself took. */
type Call = () => Promise<number>;
const calls = new Map<RequestKind, Call>();
let prepareDeepPage: ((page: number) => Promise<void>) | undefined;
let invokeOnce: ((token: string, body: string) => Promise<Result>) | undefined;

if (setup.bundle === "raw") {
  const raw = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: setup.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
  const Key = { userId: setup.smallUser.userId, noteId: setup.noteId };
  calls.set("note", async () => {
    const started = performance.now();
    const { Item } = await raw.send(new GetCommand({ TableName: setup.tableName, Key }));
    const ms = performance.now() - started;
    if (Item?.noteId !== setup.noteId) throw new Error("raw GetCommand missed the note");
    return ms;
  });
} else {
  const { handler } = (await import(pathToFileURL(setup.bundle).href)) as { handler: Handler };
  invokeOnce = (token, body) => handler(graphqlEvent(token, body), lambdaContext());
  /** The event is built before the clock starts: on Lambda it arrives ready-made. */
  const invoke = async (token: string, body: string): Promise<{ answer: string; ms: number }> => {
    const event = graphqlEvent(token, body);
    const context = lambdaContext();
    const started = performance.now();
    const result = await handler(event, context);
    const ms = performance.now() - started;
    if (result.statusCode !== 200 || result.body === undefined || result.body.includes('"errors"')) {
      throw new Error(`unexpected answer ${result.statusCode}: ${result.body?.slice(0, 300)}`);
    }
    return { answer: result.body, ms };
  };
  /** The first answer is checked in full; every later one must equal it byte for byte. */
  const checked = (token: string, body: string, check: (answer: string) => void): Call => {
    let expected: string | undefined;
    return async () => {
      const { answer, ms } = await invoke(token, body);
      if (expected === undefined) {
        check(answer);
        expected = answer;
      } else if (answer !== expected) throw new Error(`answer changed: ${answer.slice(0, 300)}`);
      return ms;
    };
  };
  const pageOf = (answer: string) =>
    (JSON.parse(answer) as { data: { notes: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } })
      .data.notes;
  const fullPage = (answer: string) => {
    const page = pageOf(answer);
    if (page.edges.length !== 20 || !page.pageInfo.hasNextPage) throw new Error(`short page: ${answer.slice(0, 300)}`);
  };
  calls.set(
    "note",
    checked(setup.smallUser.token, noteBody(setup.noteFields, setup.noteId), (answer) => {
      const note = (JSON.parse(answer) as { data: { note: { id: string } | null } }).data.note;
      if (note?.id !== setup.noteId) throw new Error(`note(id) answered ${answer.slice(0, 300)}`);
    }),
  );
  // 25 notes: a page of 20 with a next page, exactly like the big user's first page.
  calls.set("list-small", checked(setup.smallUser.token, notesBody(setup.noteFields, 20), fullPage));
  calls.set("list-big", checked(setup.bigUser.token, notesBody(setup.noteFields, 20), fullPage));
  // Page N is reached the way a client reaches it: following endCursor through the handler.
  prepareDeepPage = async (deepPage) => {
    let after: string | undefined;
    for (let page = 1; page < deepPage; page++) {
      const info = pageOf((await invoke(setup.bigUser.token, notesBody(setup.noteFields, 20, after))).answer).pageInfo;
      if (!info.hasNextPage) throw new Error(`no page ${page + 1}`);
      after = info.endCursor;
    }
    calls.set("list-deep", checked(setup.bigUser.token, notesBody(setup.noteFields, 20, after), fullPage));
  };
}

/** `rounds` sequential requests of each kind, kinds interleaved and their order rotated. */
function sequential(kinds: RequestKind[], rounds: number): Promise<Record<string, number[]>> {
  return paired(kinds, { rounds, warmup: 0 }, (kind) => {
    const call = calls.get(kind);
    if (!call) throw new Error(`${kind} is not prepared`);
    return call();
  });
}

/** What a throughput run measured: requests per second, and this process's CPU time per request. */
export interface Throughput {
  rps: number;
  /** CPU time of the whole process (every thread: JavaScript, GC helpers, JIT compilers, libuv). */
  cpuUsPerRequest: number;
  /** CPU time of the JavaScript thread alone (Linux schedstat), NaN where unavailable. */
  mainThreadUsPerRequest: number;
  requests: number;
}

/** Nanoseconds the main thread has run on a CPU (Linux), NaN elsewhere. */
function mainThreadCpuNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
}

/** note(id) from `concurrency` loops, each sequential, for `ms`. */
async function throughput(concurrency: number, ms: number): Promise<Throughput> {
  const call = calls.get("note")!;
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuNs();
  const started = performance.now();
  const deadline = started + ms;
  let completed = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      await call();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const mainUs = (mainThreadCpuNs() - mainBefore) / 1000;
  return {
    rps: completed / seconds,
    cpuUsPerRequest: (cpu.user + cpu.system) / completed,
    mainThreadUsPerRequest: mainUs / completed,
    requests: completed,
  };
}

process.on("message", (request: ContenderRequest) => {
  const work =
    request.op === "sequential"
      ? sequential(request.kinds, request.rounds)
      : request.op === "throughput"
        ? throughput(request.concurrency, request.ms)
        : request.op === "invoke"
          ? (invokeOnce ?? (() => Promise.reject(new Error("raw has no handler"))))(request.token, request.body)
          : (prepareDeepPage ?? (() => Promise.reject(new Error("raw has no pages"))))(request.deepPage);
  work.then(
    (result) => process.send!({ result: result ?? true }),
    (error: Error) => process.send!({ error: error.stack ?? String(error) }),
  );
});

process.on("disconnect", () => process.exit(0));
// An orderly exit on stop, so `--cpu-prof` gets to write its profile.
process.on("SIGTERM", () => process.exit(0));
process.send!({ ready: true });
