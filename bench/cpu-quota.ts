import { existsSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CPU_PERIOD_US, cpuCgroupOf } from "./lambda-memory.ts";

/**
 * Runs measured processes like a Lambda function of a given memory size gets CPU: each in a fresh
 * cgroup whose CFS quota is that size's share of a CPU (v1 `cpu.cfs_quota_us`, or v2 `cpu.max`),
 * removed again when the process is done, and at exit when the run dies.
 */

/** Wraps a command so that it joins the cgroup before it executes (no unthrottled start-up). */
export type Launcher = (command: string, args: string[]) => { command: string; args: string[] };

export interface QuotaRun<T> {
  result: T;
  /** From the cgroup's cpu.stat: CFS periods the process ran in, how many ended throttled, and for how long. */
  periods: number;
  throttledPeriods: number;
  throttledMs: number;
}

export interface CpuQuotas {
  /** e.g. "cgroup v1 cpu controller, /sys/fs/cgroup/cpu" */
  controller: string;
  periodUs: number;
  /** `start(launcher)` runs with a fresh cgroup of `quotaUs` per period; the cgroup is gone when this settles. */
  run<T>(quotaUs: number, start: (launch: Launcher) => Promise<T>): Promise<QuotaRun<T>>;
}

const PREFIX = "notes-bench-";
/** Cgroups this run created and has not removed yet. */
const created = new Set<string>();
let count = 0;

/** A quota helper, or why CPU quotas cannot be emulated here (the run then goes on without them). */
export async function openCpuQuotas(): Promise<CpuQuotas | { notEmulated: string }> {
  const notEmulated = (why: string) => ({ notEmulated: `not emulated: ${why}` });
  if (process.platform !== "linux") return notEmulated(`CPU quotas need Linux cgroups (this is ${process.platform})`);
  const where = cpuCgroupOf(readFileSync("/proc/self/mountinfo", "utf8"), readFileSync("/proc/self/cgroup", "utf8"));
  if ("reason" in where) return notEmulated(where.reason);
  const { version, dir } = where;
  if (version === 2) {
    const controllers = await readFile(path.join(dir, "cgroup.controllers"), "utf8").catch(() => "");
    if (!controllers.split(/\s+/).includes("cpu")) return notEmulated(`the cpu controller is not available in cgroup2 at ${dir}`);
  }
  const uid = process.getuid?.();
  try {
    // A child cgroup gets the cpu controller only if its parent hands it down (v2).
    if (version === 2) await enableCpuForChildren(dir);
    // The probe is the real thing once: create, set a quota, remove.
    const probe = path.join(dir, `${PREFIX}${process.pid}-probe`);
    await mkdir(probe);
    created.add(probe);
    await setQuota(version, probe, CPU_PERIOD_US);
    await removeCgroup(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return notEmulated(`no writable cpu controller: creating a cgroup with a CPU quota in ${dir} failed (${code}; uid ${uid}, it takes root or a delegated cgroup)`);
  }
  removeStaleCgroups(dir);
  return {
    controller: `cgroup v${version} cpu controller, ${dir}`,
    periodUs: CPU_PERIOD_US,
    async run(quotaUs, start) {
      const cgroup = path.join(dir, `${PREFIX}${process.pid}-${++count}`);
      await mkdir(cgroup);
      created.add(cgroup);
      try {
        await setQuota(version, cgroup, quotaUs);
        const procs = path.join(cgroup, "cgroup.procs");
        // The shell moves itself into the cgroup, then becomes the command (same pid, same IPC channel).
        const launch: Launcher = (command, args) => ({ command: "/bin/sh", args: ["-c", 'echo $$ > "$0" && exec "$@"', procs, command, ...args] });
        const result = await start(launch);
        const stat = parseCpuStat(await readFile(path.join(cgroup, "cpu.stat"), "utf8"));
        if (!stat.nr_periods) throw new Error(`nothing ran under the CPU quota of ${cgroup}`);
        const throttledMs = version === 1 ? (stat.throttled_time ?? 0) / 1e6 : (stat.throttled_usec ?? 0) / 1e3;
        return { result, periods: stat.nr_periods, throttledPeriods: stat.nr_throttled ?? 0, throttledMs };
      } finally {
        await removeCgroup(cgroup);
      }
    },
  };
}

async function enableCpuForChildren(dir: string) {
  const control = path.join(dir, "cgroup.subtree_control");
  if (!(await readFile(control, "utf8")).split(/\s+/).includes("cpu")) await writeFile(control, "+cpu");
}

/**
 * The quota, and the highest CPU weight: a Lambda function does not share its quota, so on a shared
 * machine the measured process gets its share before other sessions' processes do.
 */
async function setQuota(version: 1 | 2, cgroup: string, quotaUs: number) {
  if (version === 1) {
    await writeFile(path.join(cgroup, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
    await writeFile(path.join(cgroup, "cpu.cfs_quota_us"), String(quotaUs));
    await writeFile(path.join(cgroup, "cpu.shares"), "262144");
  } else {
    await writeFile(path.join(cgroup, "cpu.max"), `${quotaUs} ${CPU_PERIOD_US}`);
    await writeFile(path.join(cgroup, "cpu.weight"), "10000");
  }
}

function parseCpuStat(text: string): Record<string, number> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [key, value] = line.split(" ");
        return [key!, Number(value)];
      }),
  );
}

const pidsIn = (cgroup: string) =>
  readFileSync(path.join(cgroup, "cgroup.procs"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map(Number);

/** A cgroup can be removed once no process is in it; any still there is one this run put there. */
async function removeCgroup(cgroup: string) {
  for (const pid of pidsIn(cgroup)) process.kill(pid, "SIGKILL");
  const deadline = Date.now() + 5_000;
  while (pidsIn(cgroup).length > 0) {
    if (Date.now() > deadline) throw new Error(`processes ${pidsIn(cgroup).join(", ")} stay in ${cgroup}`);
    await sleep(10);
  }
  await rmdir(cgroup);
  created.delete(cgroup);
}

/** Cgroups of earlier runs killed before they could clean up (their pid is gone), if empty by now. */
function removeStaleCgroups(dir: string) {
  for (const name of readdirSync(dir)) {
    const pid = Number(/^notes-bench-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    try {
      rmdirSync(path.join(dir, name));
    } catch (error) {
      process.stderr.write(`[bench] left ${path.join(dir, name)} in place: ${(error as Error).message}\n`);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The run died or was stopped: kill what is still in our cgroups (our own children) and remove them. */
process.once("exit", () => {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const cgroup of created) {
    try {
      if (!existsSync(cgroup)) continue;
      for (const pid of pidsIn(cgroup)) process.kill(pid, "SIGKILL");
      // Exit handlers cannot await: wait for the killed processes to leave, briefly, in place.
      for (let tries = 0; pidsIn(cgroup).length > 0 && tries < 200; tries++) Atomics.wait(pause, 0, 0, 10);
      rmdirSync(cgroup);
    } catch (error) {
      process.stderr.write(`[bench] could not remove ${cgroup}: ${(error as Error).message}\n`);
    }
  }
});
