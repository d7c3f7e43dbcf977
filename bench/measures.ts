import type { ColdStartReport, ColdStartSpec } from "./cold-start-child.ts";
import type { Throughput } from "./contender.ts";
import { paired, type Rounds } from "./pairing.ts";
import { progress, type Contender, type ProcessOptions, type World } from "./world.ts";

/** The measurements scenarios share, each paired between its sides (bench/pairing.ts). */

/** One side of cold-start or memory readings: what its fresh processes run, and how they start. */
export interface ColdSide {
  spec: ColdStartSpec;
  options?: ProcessOptions;
}

/** Fresh processes, sides interleaved and the order rotated every round; one warm-up round dropped. */
export async function coldStarts<Name extends string>(world: World, sides: Record<Name, ColdSide>, runs: number) {
  const names = Object.keys(sides) as Name[];
  progress(`cold starts: ${runs} fresh processes per side (${names.join(", ")}; +1 discarded warm-up round)`);
  // The warm-up round warms the OS file cache and the JWKS server.
  return paired(names, { rounds: runs, warmup: 1 }, (name) => world.coldStart(sides[name].spec, sides[name].options));
}

/** Resident memory readings of one process, in MB. */
export interface MemoryReading {
  rss: number;
  maxRss: number;
  heap: number;
}

/**
 * Resident memory of fresh processes after a cold start and `warmRequests` more requests like the
 * first, `runs` processes per side, sides alternating (order rotated every round).
 */
export async function memoryAfterWarmRequests<Name extends string>(
  world: World,
  sides: Record<Name, ColdSide>,
  { runs, warmRequests }: { runs: number; warmRequests: number },
) {
  const names = Object.keys(sides) as Name[];
  progress(`memory: ${runs} fresh processes per side (${names.join(", ")}), cold start + ${warmRequests} requests, alternating`);
  const mb = (bytes: number | undefined) => (bytes ?? Number.NaN) / 2 ** 20;
  const readings = await paired(names, { rounds: runs, warmup: 0 }, async (name): Promise<MemoryReading> => {
    const { spec, options } = sides[name];
    const warm = { count: warmRequests, token: spec.first.token, body: spec.first.body };
    const report: ColdStartReport = await world.coldStart({ ...spec, warm }, options);
    return { rss: mb(report.rssBytes), maxRss: mb(report.maxRssBytes), heap: mb(report.heapUsedBytes) };
  });
  return Object.fromEntries(
    names.map((name) => [name, { rss: readings[name].map((r) => r.rss), maxRss: readings[name].map((r) => r.maxRss), heap: readings[name].map((r) => r.heap) }]),
  ) as Record<Name, Record<keyof MemoryReading, number[]>>;
}

/** `note(id)` from `concurrency` loops in each contender process, whole rounds alternating; one warm-up round dropped. */
export async function throughputRounds<Name extends string>(
  sides: Record<Name, Contender>,
  { concurrency, rounds, roundMs }: { concurrency: number; rounds: number; roundMs: number },
): Promise<Record<Name, Throughput[]>> {
  const names = Object.keys(sides) as Name[];
  progress(`throughput: ${names.join(", ")}, concurrency ${concurrency}, ${rounds} alternating rounds of ${roundMs} ms (+1 warm-up)`);
  return paired(names, { rounds, warmup: 1 }, (name) => sides[name].throughput(concurrency, roundMs));
}

/** Sequential requests of `kinds` in blocks, sides alternating block by block; the warm-up blocks dropped. */
export async function sequentialBlocks<Name extends string>(
  sides: Record<Name, Contender>,
  kinds: Parameters<Contender["sequential"]>[0],
  { blocks, warmupBlocks, blockSize }: { blocks: number; warmupBlocks: number; blockSize: number },
): Promise<Record<Name, Record<string, number[]>>> {
  const names = Object.keys(sides) as Name[];
  const rounds: Rounds = { rounds: blocks, warmup: warmupBlocks };
  const got = await paired(names, rounds, (name) => sides[name].sequential(kinds, blockSize));
  return Object.fromEntries(
    names.map((name) => [name, Object.fromEntries(kinds.map((kind) => [kind, got[name].flatMap((block) => block[kind]!)]))]),
  ) as Record<Name, Record<string, number[]>>;
}
