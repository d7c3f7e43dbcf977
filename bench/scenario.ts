import type { World } from "./world.ts";

/**
 * A scenario is one file in bench/scenarios/ exporting `scenario` (made with `defineScenario`). The
 * CLI finds it there; the standard run takes every scenario that measures a figure of the registry
 * (bench/figures.ts), in the registry's order; the others (tools such as `layers`) run when named.
 */
export type Mode = "quick" | "full";

/** What the command line asks of the tools among the scenarios. */
export interface BenchOptions {
  /** `--cpu-prof`: profile each contender process (layers). */
  cpuProf: boolean;
  /** `--only` names that are layers, not scenarios. */
  layers?: string[];
  /** `--vs-node`, `--vs-node-options`: every layer also on another Node (layers). */
  vsNode?: string;
  vsNodeOptions?: string;
  /** `--lever-*`: the alternate bundle setting (levers). */
  lever: { esbuild?: string; nodeOptions?: string; nodeArgs?: string; bundle?: string; env?: string };
}

export interface Bench {
  world: World;
  mode: Mode;
  options: BenchOptions;
}

/** What a scenario hands back; `figures` and `samples` merge into the run's JSON. */
export interface Output {
  /** Top-level keys of the results: every registry figure of the scenario, and the values behind them. */
  figures: Record<string, unknown>;
  samples?: Record<string, unknown>;
  /** Figures the scenario could not measure here, and why (their value is null). */
  notMeasurable?: Record<string, string>;
  /** Facts about how it ran, merged into `run` (e.g. the CPU quotas used). */
  run?: Record<string, unknown>;
}

export interface Scenario<Plan = unknown> {
  /** The file's name in bench/scenarios/, and what `--only` takes. */
  name: string;
  /** One line for `--list`. */
  summary: string;
  /** Notes the big user needs (the world seeds the most any selected scenario asks for). */
  bigUserNotes?: number;
  /** Samples and rounds, quick and full; recorded in the JSON's `run.plan`. */
  plan: Record<Mode, Plan>;
  run(bench: Bench, plan: Plan): Promise<Output>;
  /** A tool's own table (scenarios of the registry print the registry's). */
  print?(results: Record<string, unknown>): string;
  /** A tool's JSON file name, without `.json` (default: results). */
  file?: string;
}

export function defineScenario<Plan>(scenario: Scenario<Plan>): Scenario<Plan> {
  return scenario;
}
