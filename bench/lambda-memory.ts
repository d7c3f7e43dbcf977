import { checkLambdaMemory } from "../stacks/lambda-bundle.ts";

/**
 * What a Lambda function's memory size does to its Node process, as the benchmark emulates it: the
 * runtime's bootstrap sizes V8's heap from it, and Lambda gives the function CPU in proportion to it.
 */

/** The memory sizes `cold_start_ms_by_memory` reports: a small function, ours (stacks/Api.ts), one full vCPU. */
export const MEMORY_SIZES_MB = [512, 1024, 1769] as const;

/** Lambda gives a function one vCPU of time at 1,769 MB, and CPU in proportion to memory on either side. */
export const FULL_VCPU_MB = 1769;

/**
 * CFS period of the emulated quota: Lambda throttles in 20 ms windows (measured from inside functions by
 * a public study, pwrdrvr/lambda-throttling); the kernel's default of 100 ms would pause a throttled
 * cold start in longer, coarser steps.
 */
export const CPU_PERIOD_US = 20_000;

/** CPU time per `periodUs` that a function of this memory size gets (CFS quota, all its threads together). */
export function lambdaCpuQuotaUs(memoryMb: number, periodUs = CPU_PERIOD_US): number {
  checkLambdaMemory(memoryMb);
  return Math.round((periodUs * memoryMb) / FULL_VCPU_MB);
}

/** Where a process's CPU cgroup is: a v1 `cpu` hierarchy or the cgroup2 tree, as a directory. */
export type CpuCgroup = { version: 1 | 2; dir: string } | { reason: string };

/**
 * The cgroup directory of this process under the CPU controller, from /proc/self/mountinfo and
 * /proc/self/cgroup: a v1 hierarchy with `cpu` among its controllers first (the controller is then not
 * on cgroup2), else the cgroup2 mount (whether it offers `cpu` is for the caller to read).
 */
export function cpuCgroupOf(mountinfo: string, procCgroup: string): CpuCgroup {
  const mounts = mountinfo
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(" ");
      const separator = fields.indexOf("-");
      return { root: fields[3]!, point: fields[4]!, type: fields[separator + 1], options: (fields[separator + 3] ?? "").split(",") };
    });
  const memberships = procCgroup
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [id, controllers, ...rest] = line.split(":");
      return { id, controllers: controllers!.split(","), path: rest.join(":") };
    });
  const under = (mount: { root: string; point: string }, path: string | undefined): CpuCgroup => {
    if (path === undefined) return { reason: "this process is in no cgroup of that hierarchy (/proc/self/cgroup)" };
    const root = mount.root === "/" ? "" : mount.root;
    if (path !== root && !path.startsWith(`${root}/`)) {
      return { reason: `this process's cgroup ${path} is outside the mounted part of the hierarchy (${mount.root})` };
    }
    return { version: 1, dir: `${mount.point}${path.slice(root.length)}`.replace(/\/$/, "") };
  };
  const v1 = mounts.find((mount) => mount.type === "cgroup" && mount.options.includes("cpu"));
  if (v1) return under(v1, memberships.find((m) => m.controllers.includes("cpu"))?.path);
  const v2 = mounts.find((mount) => mount.type === "cgroup2");
  if (v2) {
    const found = under(v2, memberships.find((m) => m.id === "0" && m.controllers.join("") === "")?.path);
    return "dir" in found ? { version: 2, dir: found.dir } : found;
  }
  return { reason: "no cgroup hierarchy with the cpu controller is mounted" };
}
