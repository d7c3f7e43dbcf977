import type { InitializeHandlerOptions, InitializeMiddleware } from "@smithy/types";

/**
 * One finished AWS SDK call, retries included: what the functions' metrics record per
 * dependency. The core's clients (dynamo.ts, and any later one) add `awsCallTiming` to their
 * middleware stack; nothing here knows where the figures go.
 */
export interface AwsCall {
  /** "DynamoDB", "S3": the client's service. */
  service: string;
  /** The SDK operation, e.g. "GetItem" (the command name without "Command"). */
  operation: string;
  durationMs: number;
  /** Attempts the SDK made, first included (the standard retry strategy's count). */
  attempts: number;
  failed: boolean;
}

type AwsCallObserver = (call: AwsCall) => void;

let observer: AwsCallObserver | undefined;

/** Sets the one observer of finished calls (the functions' metrics); undefined removes it. */
export function observeAwsCalls(next: AwsCallObserver | undefined): void {
  observer = next;
}

type Metadata = { $metadata?: { attempts?: number } };

/** Wraps the whole call, retries and backoff included, so its time is what the caller waited. */
export function awsCallTiming<Input extends object, Output extends object>(
  service: string,
): InitializeMiddleware<Input, Output> {
  return (next, context) => async (args) => {
    if (!observer) return next(args);
    const startedAt = performance.now();
    const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
    try {
      const result = await next(args);
      // A presigner runs the stack without sending anything: no output, no call to count.
      const output = result.output as Metadata | undefined;
      if (output) report(service, operation, startedAt, output.$metadata?.attempts, false);
      return result;
    } catch (error) {
      report(service, operation, startedAt, (error as Metadata | undefined)?.$metadata?.attempts, true);
      throw error;
    }
  };
}

export const AWS_CALL_TIMING_OPTIONS: InitializeHandlerOptions = {
  step: "initialize",
  name: "notesAwsCallTiming",
};

function report(service: string, operation: string, startedAt: number, attempts: number | undefined, failed: boolean) {
  observer?.({ service, operation, durationMs: performance.now() - startedAt, attempts: attempts ?? 1, failed });
}
