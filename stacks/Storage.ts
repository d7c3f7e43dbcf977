import { Table, type StackContext } from "sst/constructs";
import { stageSettings } from "./stage.ts";

export function Storage({ stack }: StackContext) {
  const stage = stageSettings(stack.stage);

  const notesTable = new Table(stack, "Notes", {
    fields: { userId: "string", noteId: "string" },
    primaryIndex: { partitionKey: "userId", sortKey: "noteId" },
    cdk: {
      table: {
        // SST's Table sets the deprecated `pointInTimeRecovery: true`; CDK rejects it next to the spec, so unset it.
        pointInTimeRecovery: undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: stage.pointInTimeRecovery },
        removalPolicy: stage.removalPolicy,
        deletionProtection: stage.deletionProtection,
      },
    },
  });

  return { notesTable };
}
