import { describe, expect, it } from "vitest";
import { LAMBDA_MEMORY_MB, lambdaBootstrapNodeArgs } from "../stacks/lambda-bundle.ts";
import { cpuCgroupOf, lambdaCpuQuotaUs } from "./lambda-memory.ts";

describe("the Lambda Node bootstrap's arguments for a memory size", () => {
  it("sizes the heap from memory with integer division, after --expose-gc and the header limit", () => {
    expect(lambdaBootstrapNodeArgs(1024)).toEqual([
      "--expose-gc",
      "--max-http-header-size",
      "81920",
      "--max-semi-space-size=51",
      "--max-old-space-size=922",
    ]);
    expect(lambdaBootstrapNodeArgs(512).slice(3)).toEqual(["--max-semi-space-size=25", "--max-old-space-size=461"]);
    expect(lambdaBootstrapNodeArgs(1769).slice(3)).toEqual(["--max-semi-space-size=88", "--max-old-space-size=1593"]);
  });

  it("refuses a size Lambda does not offer", () => {
    for (const size of [0, 127, 1024.5, 10_241, Number.NaN]) expect(() => lambdaBootstrapNodeArgs(size)).toThrow(RangeError);
    expect(lambdaBootstrapNodeArgs(LAMBDA_MEMORY_MB)).toHaveLength(5);
  });
});

describe("the CPU quota of a memory size", () => {
  it("is one vCPU at 1,769 MB and in proportion to memory below and above", () => {
    expect(lambdaCpuQuotaUs(1769, 100_000)).toBe(100_000);
    expect(lambdaCpuQuotaUs(512, 100_000)).toBe(28_943);
    expect(lambdaCpuQuotaUs(1024, 20_000)).toBe(11_577);
    expect(lambdaCpuQuotaUs(3538, 20_000)).toBe(40_000);
  });
});

describe("where this process's CPU cgroup is", () => {
  const v1 = [
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset",
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
  ].join("\n");

  it("prefers a v1 hierarchy carrying the cpu controller, at this process's own cgroup", () => {
    expect(cpuCgroupOf(v1, "3:cpuset:/\n1:cpu:/\n0::/\n")).toEqual({ version: 1, dir: "/sys/fs/cgroup/cpu" });
    expect(cpuCgroupOf(v1, "1:cpu:/jobs/a\n0::/")).toEqual({ version: 1, dir: "/sys/fs/cgroup/cpu/jobs/a" });
  });

  it("reads a combined cpu,cpuacct hierarchy mounted from below its root (a container)", () => {
    const mountinfo = "50 40 0:44 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct";
    expect(cpuCgroupOf(mountinfo, "4:cpu,cpuacct:/docker/abc\n")).toEqual({ version: 1, dir: "/sys/fs/cgroup/cpu,cpuacct" });
    expect(cpuCgroupOf(mountinfo, "4:cpu,cpuacct:/elsewhere\n")).toHaveProperty("reason");
  });

  it("falls back to cgroup2 when no v1 hierarchy has the cpu controller", () => {
    const mountinfo = "30 24 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate";
    expect(cpuCgroupOf(mountinfo, "0::/user.slice/session-1.scope\n")).toEqual({ version: 2, dir: "/sys/fs/cgroup/user.slice/session-1.scope" });
  });

  it("says why when there is no cgroup filesystem", () => {
    expect(cpuCgroupOf("22 1 0:21 / /proc rw - proc proc rw", "")).toHaveProperty("reason");
  });
});
