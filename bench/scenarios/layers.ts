import { execFileSync } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { LAMBDA_NODE_OPTIONS } from "../../stacks/lambda-bundle.ts";
import { OUT_DIR, type Bundle } from "../build.ts";
import { bundleOf, type ContenderName } from "../bundles.ts";
import { selfTimeByPackage } from "../cold-profile.ts";
import { throughputRounds } from "../measures.ts";
import { ratios } from "../pairing.ts";
import { defineScenario } from "../scenario.ts";
import { median, round } from "../stats.ts";
import type { Contender } from "../world.ts";

/** Each layer of a note(id) request, the one before it plus one more piece, and Apollo beside them. */
const LAYERS: [name: string, bundle: ContenderName, label: string][] = [
  ["floor", "floor", "floor: token verification + GetItem"],
  ["graphql_js_execute", "layer-graphql-js", "+ graphql-js execute (Pothos schema)"],
  ["yoga_envelop", "layer-envelop", "+ yoga's envelop and the product's plugins"],
  ["ours", "ours", "+ yoga's HTTP layer + Lambda adapter (ours)"],
  ["apollo", "apollo", "Apollo Server 5 Lambda"],
];
export const LAYER_NAMES = LAYERS.map(([name]) => name);

/**
 * A tool (`--layers`): where a note(id) request's CPU goes, one layer at a time, each a bundle built
 * like the Lambda and measured like rps_vs_apollo; with `--vs-node` every layer also on another Node,
 * with `--cpu-prof` each process's self time by package per request.
 */
export const scenario = defineScenario({
  name: "layers",
  summary: "tool: note(id) throughput and CPU per request, layer by layer from the floor to ours, and Apollo",
  file: "layers",
  plan: {
    quick: { concurrency: 10, rounds: 5, roundMs: 1_500 },
    full: { concurrency: 10, rounds: 10, roundMs: 2_000 },
  },
  async run({ world, options }, plan) {
    const layers = LAYERS.filter(([name]) => !options.layers || options.layers.includes(name));
    const nodes = [{ suffix: "", execPath: world.node.path, nodeOptions: LAMBDA_NODE_OPTIONS }];
    if (options.vsNode) {
      const version = execFileSync(options.vsNode, ["--version"], { encoding: "utf8" }).trim();
      const extra = options.vsNodeOptions;
      nodes.push({ suffix: `@${version}${extra === undefined ? "" : ` ${extra}`}`, execPath: options.vsNode, nodeOptions: extra ?? LAMBDA_NODE_OPTIONS });
    }
    const profileDir = path.join(OUT_DIR, "profiles");
    const profileOf = (name: string) => path.join(profileDir, name.replace(/[^\w@.-]+/g, "_"));
    if (options.cpuProf) await rm(profileDir, { recursive: true, force: true });
    const bundles: Record<string, Bundle> = {};
    const sides: Record<string, Contender> = {};
    for (const [layer, bundleName] of layers) {
      const bundle = (bundles[layer] = await bundleOf(bundleName));
      for (const { suffix, execPath, nodeOptions } of nodes) {
        const name = `${layer}${suffix}`;
        const execArgv = options.cpuProf ? ["--cpu-prof", "--cpu-prof-dir", profileOf(name)] : [];
        sides[name] = await world.contender(bundle.file, { execArgv, execPath, nodeOptions });
      }
    }
    const got = await throughputRounds(sides, plan);
    for (const side of Object.values(sides)) await side.stop();
    // Self time by package, per request: where each layer's CPU goes, source-mapped.
    const profiles: Record<string, { where: string; us_per_request: number }[]> = {};
    for (const name of options.cpuProf ? Object.keys(sides) : []) {
      const [file] = (await readdir(profileOf(name))).filter((f) => f.endsWith(".cpuprofile"));
      if (!file) throw new Error(`no CPU profile in ${profileOf(name)}`);
      const requests = got[name]!.reduce((sum, t) => sum + t.requests, 0);
      const totals = await selfTimeByPackage(path.join(profileOf(name), file), bundles[name.split("@")[0]!]!.file);
      profiles[name] = Object.entries(totals)
        .map(([where, ms]) => ({ where, us_per_request: round((ms * 1000) / requests, 1) }))
        .sort((a, b) => b.us_per_request - a.us_per_request)
        .slice(0, 15);
    }
    const series = (name: string, key: "rps" | "cpuUsPerRequest" | "mainThreadUsPerRequest") => got[name]!.map((t) => t[key]);
    const ours = got.ours ? "ours" : undefined;
    return {
      figures: {
        layers: Object.fromEntries(
          Object.keys(sides).map((name) => [
            name,
            {
              rps: round(median(series(name, "rps")), 0),
              cpu_us_per_request: round(median(series(name, "cpuUsPerRequest")), 1),
              main_thread_us_per_request: round(median(series(name, "mainThreadUsPerRequest")), 1),
              // Paired round by round with ours, like rps_vs_apollo.
              rps_vs_ours: ours ? round(median(ratios(series(name, "rps"), series(ours, "rps")))) : null,
              cpu_vs_ours: ours ? round(median(ratios(series(name, "cpuUsPerRequest"), series(ours, "cpuUsPerRequest")))) : null,
            },
          ]),
        ),
        bundle_bytes: Object.fromEntries(Object.entries(bundles).map(([name, bundle]) => [name, bundle.bytes])),
        profiles,
      },
    };
  },
  print(results) {
    const { layers, profiles } = results as {
      layers: Record<string, Record<string, number | null>>;
      profiles: Record<string, { where: string; us_per_request: number }[]>;
    };
    const labelOf = (name: string) => {
      const [layer, node] = name.split("@");
      return `${LAYERS.find(([n]) => n === layer)?.[2] ?? layer}${node ? ` [${node}]` : ""}`;
    };
    const columns = ["rps", "cpu_us_per_request", "main_thread_us_per_request", "rps_vs_ours", "cpu_vs_ours"];
    const rows = Object.entries(layers).map(([name, layer]) => [labelOf(name), ...columns.map((c) => String(layer[c] ?? "-"))]);
    const header = ["layer", "req/s", "CPU µs/req", "JS thread µs/req", "req/s ÷ ours", "CPU ÷ ours"];
    const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join("  ");
    const profileLines = Object.entries(profiles).flatMap(([name, top]) => [
      "",
      `Self time per request, ${labelOf(name)} (CPU profile of the whole process, µs)`,
      ...top.map((entry) => `  ${entry.where.padEnd(60)} ${entry.us_per_request.toFixed(1).padStart(7)}`),
    ]);
    return [line(header), "-".repeat(line(header).length), ...rows.map(line), ...profileLines].join("\n");
  },
});
