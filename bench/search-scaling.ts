import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { monotonicFactory } from "ulid";
import { observeAwsCalls } from "@notes/core/aws-calls";
import { configureDynamo, dynamo } from "@notes/core/dynamo";
import * as Note from "@notes/core/note";
import * as Search from "@notes/core/search";
import { ROOT } from "./build.ts";
import { paired, ratios } from "./pairing.ts";
import { seedClient, writeItems } from "./seed.ts";
import { median, round } from "./stats.ts";
import { startWorld } from "./world.ts";

/**
 * search_scaling_ratio: a search page (first: 20) for a user with 50,000 notes of which 200
 * match ÷ the same for a user with 500 notes of which the same 200 match, the median of per-round
 * ratios (target ≤ 1.25); and what search adds to a create (paired rounds with and without the
 * index, and DynamoDB calls). Core verbs in this process against the world's dynalite, seeded
 * with seed.ts's writer. Run alone: `npx tsx bench/search-scaling.ts` (`--quick`).
 */

export interface SearchScalingOptions {
  bigNotes: number;
  smallNotes: number;
  matching: number;
  /** Paired rounds of search pages, one page per user a round (bench/pairing.ts). */
  samples: number;
  /** Paired rounds of creates, with and without the index, per note size. */
  createSamples: number;
}

export const SEARCH_SCALING_DEFAULTS: SearchScalingOptions = {
  bigNotes: 50_000,
  smallNotes: 500,
  matching: 200,
  samples: 200,
  createSamples: 60,
};

export const SEARCH_SCALING_QUICK: SearchScalingOptions = { ...SEARCH_SCALING_DEFAULTS, bigNotes: 5_000, samples: 40, createSamples: 10 };

export type SearchScalingFigures = Record<string, number>;

/** Where the scenario writes: the world's dynalite and table (its users are the scenario's own). */
export interface SearchTarget {
  endpoint: string;
  tableName: string;
}

const SEARCH = "zanzibar";
const PAGE = 20;
/** A typical note: about 400 characters of prose (docs/search.md's "typical"). */
const TYPICAL =
  "Call the plumber about the kitchen sink before Friday; ask whether the old pipes under the floor " +
  "need replacing too. Then book the train to Lyon for the conference, pick up the dry cleaning, and " +
  "send Maria the photos from the weekend. Remember: the car insurance renewal is due on the 14th, and " +
  "the quote from last year was 412 euros. Buy coffee, oat milk, lemons and batteries for the remote.";

export async function runSearchScaling(
  target: SearchTarget,
  options: SearchScalingOptions = SEARCH_SCALING_DEFAULTS,
  progress: (message: string) => void = () => {},
): Promise<SearchScalingFigures> {
  configureDynamo({ tableName: target.tableName, endpoint: target.endpoint, maxAttempts: 10, requestTimeoutMs: 30_000 });
  const started = performance.now();
  progress(`seeding ${options.bigNotes.toLocaleString("en")} + ${options.smallNotes} notes and their search index`);
  const client = seedClient(target.endpoint);
  let seededItems = 0;
  const seed = async (userId: string, count: number) => {
    const items = searchUserItems(userId, count, options.matching);
    await writeItems(client, target.tableName, items);
    seededItems += items.length;
    return userId;
  };
  const users = { big: await seed("bench-search-big", options.bigNotes), small: await seed("bench-search-small", options.smallNotes) };
  client.destroy();
  progress(`seeded ${seededItems.toLocaleString("en")} items in ${Math.round(performance.now() - started)} ms`);

  const timed = async (userId: string, search: string | null) => {
    const t0 = performance.now();
    const result = await Note.list(userId, { search, first: PAGE });
    const ms = performance.now() - t0;
    if (result.notes.length !== PAGE || !result.hasNextPage) throw new Error("a page was not full");
    return ms;
  };
  progress(`timing ${options.samples} paired rounds of search pages and plain list pages`);
  // The plain listing's first page for the same two users: what the table's size alone costs here.
  const pages = await paired(["big", "small"] as const, { rounds: options.samples, warmup: 20 }, async (side) => ({
    search: await timed(users[side], SEARCH),
    list: await timed(users[side], null),
  }));
  const ms = (side: "big" | "small", kind: "search" | "list") => pages[side].map((page) => page[kind]);
  const pageCalls = await countCalls(() => Note.list(users.big, { search: SEARCH, first: PAGE }));
  const smallPageCalls = await countCalls(() => Note.list(users.small, { search: SEARCH, first: PAGE }));

  progress(`timing ${options.createSamples} paired rounds of creates with and without the search index`);
  const creates = await timeCreates(options.createSamples);
  return {
    search_scaling_ratio: round(median(ratios(ms("big", "search"), ms("small", "search")))),
    search_page_p50_ms_50k: round(median(ms("big", "search"))),
    search_page_p50_ms_500: round(median(ms("small", "search"))),
    search_list_control_ratio: round(median(ratios(ms("big", "list"), ms("small", "list")))),
    search_page_dynamodb_calls_50k: pageCalls.calls,
    search_page_dynamodb_calls_500: smallPageCalls.calls,
    ...creates,
  };
}

/** Notes shaped like Note.create's items with their group items; `matching` of them spread evenly. */
function searchUserItems(userId: string, count: number, matching: number): Record<string, unknown>[] {
  const nextUlid = monotonicFactory();
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const every = Math.floor(count / matching);
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const createdMs = start + i * 1_000;
    const timestamp = new Date(createdMs).toISOString();
    const noteId = nextUlid(createdMs);
    const content = i % every === 0 && i / every < matching ? `Zanzibar trip plan ${i}` : `Errand ${i}`;
    items.push({ userId, noteId, content, createdAt: timestamp, updatedAt: timestamp, version: 1 });
    for (const group of Search.groupsOf(content, null)) items.push({ userId: Search.groupPartition(userId, group), noteId, v: 1 });
  }
  return items;
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
    const t0 = performance.now();
    await write(content);
    return performance.now() - t0;
  };
  const figures: SearchScalingFigures = {};
  for (const [name, content] of [["typical", TYPICAL], ["10k", long]] as const) {
    const writes = { with: withSearch, without: withoutSearch };
    const ms = await paired(["with", "without"] as const, { rounds: samples, warmup: 5 }, (side) => timed(writes[side], content));
    figures[`create_${name}_p50_ms_without_search`] = round(median(ms.without));
    figures[`create_${name}_p50_ms_with_search`] = round(median(ms.with));
    if (name === "typical") figures.create_search_index_cost = round(median(ratios(ms.with, ms.without)));
    figures[`create_${name}_dynamodb_calls_without_search`] = (await countCalls(() => withoutSearch(content))).calls;
    figures[`create_${name}_dynamodb_calls_with_search`] = (await countCalls(() => withSearch(content))).calls;
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
  const quick = process.argv.includes("--quick");
  const options = quick ? SEARCH_SCALING_QUICK : SEARCH_SCALING_DEFAULTS;
  const world = await startWorld({ bigUserNotes: 0 });
  try {
    const figures = await runSearchScaling(world, options, (message) => console.error(`[search-scaling] ${message}`));
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await world.stop();
  }
}
