import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api.ts";
import { Auth } from "./stacks/Auth.ts";
import { lambdaNodejsProps } from "./stacks/lambda-bundle.ts";
import { Storage } from "./stacks/Storage.ts";
import { Web } from "./stacks/Web.ts";

export default {
  config() {
    return {
      name: "notes-graphql",
      region: process.env.AWS_REGION ?? "us-east-1",
    };
  },
  stacks(app) {
    app.setDefaultFunctionProps({
      runtime: "nodejs22.x",
      architecture: "arm_64",
      // Lambda's own X-Ray segments (init, invocation); the SDK is not instrumented (docs/operations.md says why).
      tracing: "active",
      nodejs: lambdaNodejsProps,
    });
    app.stack(Storage).stack(Auth).stack(Api).stack(Web);
  },
} satisfies SSTConfig;
