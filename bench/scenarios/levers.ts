import { statSync } from "node:fs";
import path from "node:path";
import type { NodeJSProps } from "sst/constructs";
import { LAMBDA_NODE_OPTIONS, lambdaNodejsProps } from "../../stacks/lambda-bundle.ts";
import { buildLikeSst } from "../build.ts";
import { bundleOf, leverEsbuild, PRODUCT_ENTRY } from "../bundles.ts";
import { coldStarts, memoryAfterWarmRequests, throughputRounds, type ColdSide } from "../measures.ts";
import { ratios } from "../pairing.ts";
import { defineScenario } from "../scenario.ts";
import { median, round } from "../stats.ts";
import { LAMBDA_NODE_ARGS } from "../world.ts";

/**
 * A tool (`--lever-*`): the product bundle as built today ("base") against one alternate setting —
 * esbuild options, the function's NODE_OPTIONS or environment, the bootstrap's node arguments, or a bundle built
 * elsewhere — paired: cold starts interleaved, RSS after warm requests, throughput rounds alternating.
 */
export const scenario = defineScenario({
  name: "levers",
  summary: "tool: the product bundle against one alternate setting (--lever-esbuild, -node-options, -node-args, -bundle, -env), paired",
  file: "lever",
  plan: {
    quick: { coldRuns: 10, memoryRuns: 5, warmRequests: 1_000, rps: { concurrency: 10, rounds: 4, roundMs: 1_500 } },
    full: { coldRuns: 20, memoryRuns: 7, warmRequests: 1_000, rps: { concurrency: 10, rounds: 8, roundMs: 2_500 } },
  },
  async run({ world, options }, plan) {
    const { lever } = options;
    if (Object.values(lever).every((value) => value === undefined)) {
      throw new Error("a lever needs --lever-esbuild, --lever-node-options, --lever-node-args, --lever-bundle or --lever-env");
    }
    const esbuild = JSON.parse(lever.esbuild ?? "{}") as Record<string, unknown>;
    // The function's environment with the lever's variables added (e.g. a setting of a library).
    const env = JSON.parse(lever.env ?? "{}") as Record<string, string>;
    const nodeOptions = lever.nodeOptions ?? LAMBDA_NODE_OPTIONS;
    const nodeArgs = lever.nodeArgs === undefined ? LAMBDA_NODE_ARGS : lever.nodeArgs.split(/\s+/).filter(Boolean);
    const base = await bundleOf("ours");
    const withLever = lever.bundle
      ? { file: path.resolve(lever.bundle), bytes: statSync(lever.bundle).size, totalBytes: statSync(lever.bundle).size }
      : await buildLikeSst("lever", PRODUCT_ENTRY, { ...lambdaNodejsProps, esbuild: leverEsbuild(lambdaNodejsProps.esbuild ?? {}, esbuild) } as NodeJSProps);
    const first = world.noteRequest;
    const sides: Record<"base" | "lever", ColdSide> = {
      base: { spec: { bundle: base.file, first } },
      lever: { spec: { bundle: withLever.file, first }, options: { nodeOptions, nodeArgs, env } },
    };
    const cold = await coldStarts(world, sides, plan.coldRuns);
    const memory = await memoryAfterWarmRequests(world, sides, { runs: plan.memoryRuns, warmRequests: plan.warmRequests });
    const contenders = { base: await world.contender(base.file), lever: await world.contender(withLever.file, { nodeOptions, nodeArgs, env }) };
    const rps = await throughputRounds(contenders, plan.rps);
    for (const side of Object.values(contenders)) await side.stop();

    const coldMs = { base: cold.base.map((r) => r.answeredMs), lever: cold.lever.map((r) => r.answeredMs) };
    const coldCpu = { base: cold.base.map((r) => r.cpuMs), lever: cold.lever.map((r) => r.cpuMs) };
    const rpsOf = { base: rps.base.map((t) => t.rps), lever: rps.lever.map((t) => t.rps) };
    const cpuOf = { base: rps.base.map((t) => t.cpuUsPerRequest), lever: rps.lever.map((t) => t.cpuUsPerRequest) };
    const both = (series: { base: number[]; lever: number[] }, digits: number) => ({ base: round(median(series.base), digits), lever: round(median(series.lever), digits) });
    return {
      figures: {
        lever: { esbuild, node_options: nodeOptions, node_args: nodeArgs, bundle: lever.bundle ?? null, env },
        bundle_bytes: { base: base.bytes, lever: withLever.bytes },
        bundle_total_bytes: { base: base.totalBytes, lever: withLever.totalBytes },
        cold_start_ms: both(coldMs, 1),
        cold_lever_vs_base: round(median(ratios(coldMs.lever, coldMs.base))),
        cold_cpu_lever_vs_base: round(median(ratios(coldCpu.lever, coldCpu.base))),
        rss_mb: both({ base: memory.base.rss, lever: memory.lever.rss }, 1),
        heap_used_mb: both({ base: memory.base.heap, lever: memory.lever.heap }, 1),
        rss_lever_vs_base: round(median(ratios(memory.lever.rss, memory.base.rss))),
        rps: both(rpsOf, 0),
        cpu_us_per_request: both(cpuOf, 1),
        rps_lever_vs_base: round(median(ratios(rpsOf.lever, rpsOf.base))),
        cpu_lever_vs_base: round(median(ratios(cpuOf.lever, cpuOf.base))),
      },
      samples: { cold: { ...coldMs, cpu: coldCpu }, rss: memory, rps: { ...rpsOf, cpu: cpuOf } },
    };
  },
  print: (results) => JSON.stringify(results, null, 2),
});
