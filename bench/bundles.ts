import path from "node:path";
import type { NodeJSProps } from "sst/constructs";
import { lambdaNodejsProps } from "../stacks/lambda-bundle.ts";
import { buildLikeSst, ROOT, type Bundle } from "./build.ts";

/** Every bundle a scenario measures, each built like the Lambda (bench/build.ts): its entry and build options. */
const CONTENDERS = {
  /** The product: the real handler, unchanged. */
  ours: { entry: "packages/functions/src/lambda.ts" },
  /** SDL-first: schema.graphql goes into Apollo's bundle as a string, as an Apollo user would ship it. */
  apollo: { entry: "bench/apollo/lambda.ts", build: { ...lambdaNodejsProps, loader: { ".graphql": "text" } } as NodeJSProps },
  floor: { entry: "bench/floor/lambda.ts" },
  "notes-http": { entry: "bench/http/notes-server.ts" },
  "raw-http": { entry: "bench/http/raw-server.ts" },
  "layer-graphql-js": { entry: "bench/layers/graphql-js.ts" },
  "layer-envelop": { entry: "bench/layers/envelop.ts" },
} satisfies Record<string, { entry: string; build?: NodeJSProps }>;

export type ContenderName = keyof typeof CONTENDERS;
export const PRODUCT_ENTRY = path.join(ROOT, CONTENDERS.ours.entry);

const built = new Map<ContenderName, Promise<Bundle>>();

/** The bundle of a contender, built once per run. */
export function bundleOf(name: ContenderName): Promise<Bundle> {
  let bundle = built.get(name);
  if (!bundle) {
    const contender: { entry: string; build?: NodeJSProps } = CONTENDERS[name];
    bundle = buildLikeSst(name, path.join(ROOT, contender.entry), contender.build);
    built.set(name, bundle);
  }
  return bundle;
}

/**
 * The esbuild options of stacks/lambda-bundle.ts with a lever's merged over them: a key the lever
 * sets replaces the product's, except objects (`alias`, `define`, ...), which merge key by key;
 * `null` removes a key. So `{"alias": {"@aws-sdk/credential-provider-node": null}}` builds the
 * product without that one stand-in.
 */
export function leverEsbuild(base: Record<string, unknown>, lever: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(lever)) {
    const current = merged[key];
    if (value === null) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(current)) merged[key] = leverEsbuild(current, value);
    else merged[key] = value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
