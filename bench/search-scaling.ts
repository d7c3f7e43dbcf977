import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { monotonicFactory } from "ulid";
import { observeAwsCalls } from "@notes/core/aws-calls";
import { configureDynamo, dynamo } from "@notes/core/dynamo";
import * as Note from "@notes/core/note";
import * as Search from "@notes/core/search";
import { ROOT } from "./build.ts";
import { startHelper } from "./processes.ts";
import { median, round } from "./stats.ts";

/**
 * search_scaling_ratio: the p50 of a search page (first: 20) for a user with 50,000 notes of
 * which 200 match ÷ the same for a user with 500 notes of which the same 200 match (target
 * ≤ 1.25); and what search adds to a create (p50 and DynamoDB calls). Core verbs in this process,
 * dynalite in its own (bench/dynalite-process.ts). Run alone: `npx tsx bench/search-scaling.ts`.
 */

export interface SearchScalingOptions {
  bigNotes: number;
  smallNotes: number;
  matching: number;
  /** Timed search pages per user (alternating users, so drift hits both alike). */
  samples: number;
  /** Timed creates per kind. */
  createSamples: number;
}

export const SEARCH_SCALING_DEFAULTS: SearchScalingOptions = {
  bigNotes: 50_000,
  smallNotes: 500,
  matching: 200,
  samples: 200,
  createSamples: 60,
};

export type SearchScalingFigures = Record<string, number>;

const TABLE = "notes-search-bench";
const SEARCH = "zanzibar";
const PAGE = 20;
/** A typical note: about 400 characters of prose (docs/search.md's "typical"). */
const TYPICAL =
  "Call the plumber about the kitchen sink before Friday; ask whether the old pipes under the floor " +
  "need replacing too. Then book the train to Lyon for the conference, pick up the dry cleaning, and " +
  "send Maria the photos from the weekend. Remember: the car insurance renewal is due on the 14th, and " +
  "the quote from last year was 412 euros. Buy coffee, oat milk, lemons and batteries for the remote.";

export async function runSearchScaling(
  options: SearchScalingOptions = SEARCH_SCALING_DEFAULTS,
  progress: (message: string) => void = () => {},
): Promise<SearchScalingFigures> {
  const dynalite = await startHelper<{ endpoint: string }>(path.join(ROOT, "bench/dynalite-process.ts"), {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, NOTES_TABLE: TABLE, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  try {
    configureDynamo({ tableName: TABLE, endpoint: dynalite.ready.endpoint, maxAttempts: 10, requestTimeoutMs: 30_000 });
    const started = performance.now();
    progress(`seeding ${options.bigNotes.toLocaleString("en")} + ${options.smallNotes} notes and their search index`);
    const big = await seedUser("bench-search-big", options.bigNotes, options.matching);
    const small = await seedUser("bench-search-small", options.smallNotes, options.matching);
    progress(`seeded ${(big.items + small.items).toLocaleString("en")} items in ${Math.round(performance.now() - started)} ms`);

    const timed = async (userId: string, search: string | null) => {
      const t0 = performance.now();
      const result = await Note.list(userId, { search, first: PAGE });
      const ms = performance.now() - t0;
      if (result.notes.length !== PAGE || !result.hasNextPage) throw new Error("a page was not full");
      return ms;
    };
    const users = [big.userId, small.userId];
    for (let i = 0; i < 20; i++) for (const userId of users) await timed(userId, SEARCH);
    // The plain listing's first page for the same two users: what the table's size alone costs here.
    const ms: Record<string, number[]> = { searchBig: [], searchSmall: [], listBig: [], listSmall: [] };
    progress(`timing ${options.samples} search pages and plain list pages per user`);
    for (let i = 0; i < options.samples; i++) {
      // Alternating which user goes first keeps order effects out of the pair.
      const order = i % 2 === 0 ? users : [...users].reverse();
      for (const userId of order) {
        const side = userId === big.userId ? "Big" : "Small";
        ms[`search${side}`]!.push(await timed(userId, SEARCH));
        ms[`list${side}`]!.push(await timed(userId, null));
      }
    }
    const [bigMs, smallMs] = [ms.searchBig!, ms.searchSmall!];
    const pageCalls = await countCalls(() => Note.list(big.userId, { search: SEARCH, first: PAGE }));
    const smallPageCalls = await countCalls(() => Note.list(small.userId, { search: SEARCH, first: PAGE }));

    progress(`timing ${options.createSamples} creates with and without the search index`);
    const creates = await timeCreates(options.createSamples);
    creates.create_search_index_cost = round(creates.create_typical_p50_ms_with_search! / creates.create_typical_p50_ms_without_search!);
    return {
      search_scaling_ratio: round(median(bigMs) / median(smallMs)),
      search_page_p50_ms_50k: round(median(bigMs)),
      search_page_p50_ms_500: round(median(smallMs)),
      search_list_control_ratio: round(median(ms.listBig!) / median(ms.listSmall!)),
      search_page_dynamodb_calls_50k: pageCalls.calls,
      search_page_dynamodb_calls_500: smallPageCalls.calls,
      ...creates,
    };
  } finally {
    await dynalite.stop();
  }
}

/** Notes shaped like Note.create's items with their group items, written with BatchWrite; `matching` of them spread evenly. */
async function seedUser(userId: string, count: number, matching: number): Promise<{ userId: string; items: number }> {
  const nextUlid = monotonicFactory();
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const every = Math.floor(count / matching);
  const writes: Parameters<typeof dynamo.batchWrite>[0][number][] = [];
  let flushed = 0;
  const flush = async () => {
    flushed += writes.length;
    await dynamo.batchWrite(writes.splice(0));
  };
  for (let i = 0; i < count; i++) {
    const createdMs = start + i * 1_000;
    const timestamp = new Date(createdMs).toISOString();
    const noteId = nextUlid(createdMs);
    const content = i % every === 0 && i / every < matching ? `Zanzibar trip plan ${i}` : `Errand ${i}`;
    writes.push({ PutRequest: { Item: { userId, noteId, content, createdAt: timestamp, updatedAt: timestamp, version: 1 } } });
    for (const group of Search.groupsOf(content, null)) {
      writes.push({ PutRequest: { Item: { userId: Search.groupPartition(userId, group), noteId, v: 1 } } });
    }
    if (writes.length >= 2_500) await flush();
  }
  await flush();
  return { userId, items: flushed };
}

/** Creates with search (Note.create) against the same item written as create did before search (one PutItem). */
async function timeCreates(samples: number): Promise<SearchScalingFigures> {
  const nextUlid = monotonicFactory();
  const userId = "bench-search-writer";
  const withSearch = async (content: string) => Note.create(userId, { content });
  const withoutSearch = async (content: string) => {
    const timestamp = new Date().toISOString();
    const item = { userId, noteId: nextUlid(), content, createdAt: timestamp, updatedAt: timestamp, version: 1 };
    await dynamo.put({ Item: item, ConditionExpression: "attribute_not_exists(noteId)" });
  };
  // 10,000 characters of real prose with its many distinct words: the project's README.
  const long = (await readFile(path.join(ROOT, "README.md"), "utf8")).replace(/\s+/g, " ").slice(0, 10_000);
  const timed = async (write: (content: string) => Promise<unknown>, content: string) => {
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await write(content);
      ms.push(performance.now() - t0);
    }
    return median(ms);
  };
  for (let i = 0; i < 5; i++) await Promise.all([withSearch(TYPICAL), withoutSearch(TYPICAL)]);
  const figures: SearchScalingFigures = {};
  for (const [name, content] of [["typical", TYPICAL], ["10k", long]] as const) {
    figures[`create_${name}_p50_ms_without_search`] = round(await timed(withoutSearch, content));
    figures[`create_${name}_p50_ms_with_search`] = round(await timed(withSearch, content));
    figures[`create_${name}_dynamodb_calls_without_search`] = (await countCalls(() => withoutSearch(content))).calls;
    const counted = await countCalls(() => withSearch(content));
    figures[`create_${name}_dynamodb_calls_with_search`] = counted.calls;
    figures[`create_${name}_index_items`] = Search.groupsOf(content, null).size;
  }
  return figures;
}

async function countCalls(run: () => Promise<unknown>): Promise<{ calls: number }> {
  let calls = 0;
  observeAwsCalls((call) => {
    if (call.service === "DynamoDB") calls++;
  });
  try {
    await run();
  } finally {
    observeAwsCalls(undefined);
  }
  return { calls };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const quick = process.argv.includes("--quick");
  const options = quick ? { ...SEARCH_SCALING_DEFAULTS, bigNotes: 5_000, samples: 40, createSamples: 10 } : SEARCH_SCALING_DEFAULTS;
  const figures = await runSearchScaling(options, (message) => console.error(`[search-scaling] ${message}`));
  console.log(JSON.stringify(figures, null, 2));
}
