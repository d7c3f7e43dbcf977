import { readdirSync, readFileSync } from "node:fs";

/** A process's parent and process group, from /proc (Linux). */
function statOf(pid: string): { ppid: number; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return null;
  }
}

/** The live Lambda worker processes (local/lambda-runtime.mjs) whose parent or process group is given. */
export function lambdaWorkerPids(of: { parent?: number; group?: number }): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      const stat = statOf(pid);
      if (!stat || (of.parent !== undefined && stat.ppid !== of.parent) || (of.group !== undefined && stat.pgrp !== of.group)) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("lambda-runtime.mjs");
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether a process still runs (a zombie has no command line and does not count). */
export function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8") !== "";
  } catch {
    return false;
  }
}
