import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  commitMutation,
  createOperationDescriptor,
  Environment,
  fetchQuery,
  getSelector,
  Network,
  RecordSource,
  Store,
  type ConcreteRequest,
  type GraphQLTaggedNode,
  type ReaderFragment,
} from "relay-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLocalApi } from "../hardening/local-api.ts";

/**
 * Relay as a third-party app uses it: relay-compiler (its native binary, offline) compiles the
 * `@connection` and `@refetchable` documents in relay/notes-list.ts against the committed
 * schema.graphql, and relay-runtime runs the compiled queries against the real local server.
 */
const api = useLocalApi();

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SOURCES = fileURLToPath(new URL("./relay/", import.meta.url));
const compilerCli = join(dirname(createRequire(import.meta.url).resolve("relay-compiler/package.json")), "cli.js");

let buildDir: string;
const artifacts = new Map<string, unknown>();
/** A compiled query or mutation, by its name. */
const request = (name: string) => artifacts.get(name) as ConcreteRequest;
/** A compiled fragment, by its name. */
const fragment = (name: string) => artifacts.get(name) as ReaderFragment;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "notes-relay-"));
  await mkdir(join(buildDir, "src"));
  for (const file of await readdir(SOURCES)) await copyFile(join(SOURCES, file), join(buildDir, "src", file));
  await writeFile(
    join(buildDir, "relay.config.json"),
    JSON.stringify({ src: "./src", schema: join(ROOT, "schema.graphql"), language: "typescript", eagerEsModules: true }),
  );
  await promisify(execFile)(process.execPath, [compilerCli, "relay.config.json"], { cwd: buildDir });
  const generated = join(buildDir, "src", "__generated__");
  for (const file of await readdir(generated)) {
    const module = (await import(pathToFileURL(join(generated, file)).href)) as { default: unknown };
    artifacts.set(file.replace(/\.graphql\.ts$/, ""), module.default);
  }
}, 120_000);

afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

function createEnvironment(token: string) {
  const network = Network.create(async (params, variables) => {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: params.text, variables }),
    });
    return response.json();
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

type Data = Record<string, any>;

/** Reads a fragment the way Relay's hooks do: its selector over a parent's fragment reference. */
function readFragment(environment: Environment, fragment: ReaderFragment, reference: unknown): Data {
  const selector = getSelector(fragment, reference);
  if (!selector || !("dataID" in selector)) throw new Error(`no single selector for ${fragment.name}`);
  return environment.lookup(selector).data as Data;
}

describe("relay-compiler", () => {
  it("compiles @connection and @refetchable fragments against schema.graphql", () => {
    expect([...artifacts.keys()].sort()).toEqual([
      "NoteItemRefetchQuery",
      "NoteItem_note",
      "NotesListPaginationQuery",
      "NotesListQuery",
      "NotesListUpdateNoteMutation",
      "NotesList_query",
    ]);
    // @refetchable on a Note fragment goes through Query.node(id:), which needs the Node interface.
    expect(request("NoteItemRefetchQuery").params.text).toMatch(/node\(id: \$id\)/);
  });
});

describe("relay-runtime over HTTP against the local server", () => {
  it("pages through the @connection with the compiled pagination query, merging edges in the store", async () => {
    const environment = createEnvironment(await api.token("relay-pages"));
    const created: string[] = [];
    const create = `mutation($c: String!) { createNote(input: { content: $c }) { id } }`;
    for (let i = 0; i < 5; i++) {
      const token = await api.token("relay-pages");
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: create, variables: { c: `relay ${i}` } }),
      });
      created.push(((await response.json()) as Data).data.createNote.id);
    }

    const query = request("NotesListQuery");
    const operation = createOperationDescriptor(query, { count: 2, cursor: null });
    environment.retain(operation);
    await fetchQuery(environment, query as GraphQLTaggedNode, { count: 2, cursor: null }).toPromise();
    const root = environment.lookup(operation.fragment).data;
    const list = () => readFragment(environment, fragment("NotesList_query"), root).notes;
    expect(list().edges.map((edge: Data) => edge.node.id)).toEqual(created.slice(3).reverse());

    // What usePaginationFragment's loadNext does: the refetchable query with the end cursor.
    const pagination = request("NotesListPaginationQuery");
    while (list().pageInfo.hasNextPage) {
      const variables = { count: 2, cursor: list().pageInfo.endCursor };
      environment.retain(createOperationDescriptor(pagination, variables));
      await fetchQuery(environment, pagination as GraphQLTaggedNode, variables).toPromise();
    }
    expect(list().edges.map((edge: Data) => edge.node.id)).toEqual([...created].reverse());
    const contents = list().edges.map((edge: Data) => readFragment(environment, fragment("NoteItem_note"), edge.node).content);
    expect(contents).toEqual(["relay 4", "relay 3", "relay 2", "relay 1", "relay 0"]);
  });

  it("refetches a Note fragment through node(id:) and applies a mutation to the stored record", async () => {
    const token = await api.token("relay-refetch");
    const environment = createEnvironment(token);
    const created = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `mutation { createNote(input: { content: "first" }) { id } }` }),
    });
    const id = ((await created.json()) as Data).data.createNote.id as string;

    const refetch = request("NoteItemRefetchQuery");
    const operation = createOperationDescriptor(refetch, { id });
    environment.retain(operation);
    await fetchQuery(environment, refetch as GraphQLTaggedNode, { id }).toPromise();
    const reference = environment.lookup(operation.fragment).data as Data;
    const note = () => readFragment(environment, fragment("NoteItem_note"), reference.node);
    expect(note()).toMatchObject({ id, content: "first", version: 1 });

    await new Promise<void>((resolve, reject) =>
      commitMutation(environment, {
        mutation: request("NotesListUpdateNoteMutation"),
        variables: { input: { id, content: "second", expectedVersion: 1 } },
        onCompleted: (_response, errors) => (errors?.length ? reject(new Error(errors[0]!.message)) : resolve()),
        onError: reject,
      }),
    );
    expect(note()).toMatchObject({ id, content: "second", version: 2 });
  });

  it("runs the compiled pagination query for a full page of 100 within the query limits", async () => {
    const token = await api.token("relay-full-page");
    const created: string[] = [];
    for (const content of ["one", "two", "three"]) {
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `mutation($c: String!) { createNote(input: { content: $c }) { id } }`, variables: { c: content } }),
      });
      created.push(((await response.json()) as Data).data.createNote.id);
    }
    const environment = createEnvironment(token);
    const pagination = request("NotesListPaginationQuery");
    const variables = { count: 100, cursor: null };
    const operation = createOperationDescriptor(pagination, variables);
    environment.retain(operation);
    // A page is priced at the 100 asked for, not at the three notes it holds: an error would reject here.
    await fetchQuery(environment, pagination as GraphQLTaggedNode, variables).toPromise();
    const notes = readFragment(environment, fragment("NotesList_query"), environment.lookup(operation.fragment).data).notes;
    expect(notes.edges.map((edge: Data) => edge.node.id)).toEqual([...created].reverse());
    const contents = notes.edges.map((edge: Data) => readFragment(environment, fragment("NoteItem_note"), edge.node).content);
    expect(contents).toEqual(["three", "two", "one"]);
    expect(notes.pageInfo).toMatchObject({ hasNextPage: false, endCursor: notes.edges[2].cursor });
  });
});
