import type { ColdStartReport, ColdStartSpec } from "./cold-start-child.ts";
import { openCpuQuotas } from "./cpu-quota.ts";
import { lambdaBootstrapNodeArgs } from "../stacks/lambda-bundle.ts";
import { lambdaCpuQuotaUs, MEMORY_SIZES_MB } from "./lambda-memory.ts";
import { paired } from "./pairing.ts";
import { median, round } from "./stats.ts";
import { progress, type World } from "./world.ts";

type Sized = ColdStartReport & { throttledMs: number };

/**
 * Cold starts as Lambda functions of each memory size (512, 1024, 1769 MB): every process starts in a
 * fresh cgroup whose CPU quota is that size's share of a vCPU, with that size's bootstrap node
 * arguments and AWS_LAMBDA_FUNCTION_MEMORY_SIZE; sizes and contenders interleaved, the order rotated
 * every round, the first round dropped. Null figures, and the reason, where quotas cannot be emulated.
 */
export async function coldStartsByMemory(world: World, specs: { ours: ColdStartSpec; apollo: ColdStartSpec; floor: ColdStartSpec }, runs: number) {
  const quotas = await openCpuQuotas();
  if ("notEmulated" in quotas) {
    progress(`cold starts by memory size: ${quotas.notEmulated}`);
    return { figures: null, samples: null, notMeasurable: quotas.notEmulated, cpuQuota: { not_emulated: quotas.notEmulated } };
  }
  const names = ["ours", "apollo", "floor"] as const;
  const cells = MEMORY_SIZES_MB.flatMap((mb) => names.map((name) => `${mb}:${name}` as const));
  progress(
    `cold starts by memory size: ${runs} per contender and size (${MEMORY_SIZES_MB.join(", ")} MB; ${names.join(", ")}), ` +
      `each under its CPU quota (${quotas.controller}, period ${quotas.periodUs / 1000} ms)`,
  );
  const got = await paired(cells, { rounds: runs, warmup: 1 }, async (cell): Promise<Sized> => {
    const [size, name] = cell.split(":") as [string, (typeof names)[number]];
    const mb = Number(size);
    const { result, throttledMs } = await quotas.run(lambdaCpuQuotaUs(mb, quotas.periodUs), (launch) =>
      world.coldStart(specs[name], { env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: size }, nodeArgs: lambdaBootstrapNodeArgs(mb), launch }),
    );
    return { ...result, throttledMs };
  });
  const ms = (mb: number, name: string) => median(got[`${mb}:${name}` as (typeof cells)[number]].map((r) => r.answeredMs));
  const bySize = (value: (mb: number) => number, digits = 3) =>
    Object.fromEntries(MEMORY_SIZES_MB.map((mb) => [mb, round(value(mb), digits)])) as Record<number, number>;
  return {
    figures: {
      cold_start_ms_by_memory: bySize((mb) => ms(mb, "ours"), 1),
      apollo_cold_start_ms_by_memory: bySize((mb) => ms(mb, "apollo"), 1),
      floor_cold_start_ms_by_memory: bySize((mb) => ms(mb, "floor"), 1),
      cold_vs_apollo_by_memory: bySize((mb) => ms(mb, "ours") / ms(mb, "apollo")),
      cold_graphql_share_vs_apollo_by_memory: bySize((mb) => (ms(mb, "ours") - ms(mb, "floor")) / (ms(mb, "apollo") - ms(mb, "floor"))),
    },
    // Per size and contender: wall and CPU ms, and how long the quota held each process back.
    samples: Object.fromEntries(
      MEMORY_SIZES_MB.map((mb) => [
        mb,
        Object.fromEntries(
          names.map((name) => {
            const reports = got[`${mb}:${name}`];
            const list = (value: (r: Sized) => number) => reports.map((r) => round(value(r), 1));
            return [name, { ms: list((r) => r.answeredMs), cpu_ms: list((r) => r.cpuMs), throttled_ms: list((r) => r.throttledMs) }];
          }),
        ),
      ]),
    ),
    notMeasurable: null,
    cpuQuota: {
      controller: quotas.controller,
      period_us: quotas.periodUs,
      quota_us: Object.fromEntries(MEMORY_SIZES_MB.map((mb) => [mb, lambdaCpuQuotaUs(mb, quotas.periodUs)])),
    },
  };
}
