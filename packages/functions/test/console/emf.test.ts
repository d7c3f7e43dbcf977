import { describe, expect, it, vi } from "vitest";
import { isEmfLine, parseEmf } from "../../src/local/console/emf.ts";
import { recordAwsCall, recordRequest } from "../../src/metrics.ts";

// Before metrics.ts makes its Powertools Metrics (npm test turns metrics off).
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
});

/** The EMF lines the function itself writes (Powertools, on stdout) for one request and one DynamoDB call. */
function linesWritten(): string[] {
  const lines: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter((line) => line.startsWith('{"_aws"')));
    return true;
  }) as typeof process.stdout.write);
  try {
    recordRequest({ status: 200, durationMs: 12.5, operationName: "CreateNote", errorCodes: ["CONFLICT"] });
    recordAwsCall({ service: "DynamoDB", operation: "PutItem", durationMs: 3.25, attempts: 2, failed: false });
  } finally {
    stdout.mockRestore();
  }
  return lines;
}

describe("EMF lines read back as named numbers", () => {
  it("names every metric the function writes, with its unit, values and dimensions", () => {
    const metrics = linesWritten().flatMap(parseEmf);
    const byName = Object.fromEntries(metrics.map((metric) => [metric.name, metric]));
    expect(byName.Requests).toEqual({ name: "Requests", unit: "Count", values: [1], dimensions: { service: "notes-api", operation: "CreateNote" } });
    expect(byName.Latency).toMatchObject({ unit: "Milliseconds", values: [12.5] });
    expect(byName.Faults).toMatchObject({ values: [0] });
    expect(byName.Errors).toMatchObject({ unit: "Count", values: [1], dimensions: { code: "CONFLICT" } });
    expect(byName.AwsCallLatency).toMatchObject({ values: [3.25], dimensions: { awsService: "DynamoDB", awsOperation: "PutItem" } });
    expect(byName.AwsCallRetries).toMatchObject({ values: [1] });
  });

  it("keeps every value of a line that aggregated several requests", () => {
    const line = JSON.stringify({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: "N", Dimensions: [["service"]], Metrics: [{ Name: "Latency", Unit: "Milliseconds" }] }] },
      service: "s",
      Latency: [1, 2.5, 3],
    });
    expect(parseEmf(line)).toEqual([{ name: "Latency", unit: "Milliseconds", values: [1, 2.5, 3], dimensions: { service: "s" } }]);
    expect(isEmfLine(line)).toBe(true);
  });

  it("gives nothing for log lines, broken JSON or a directive without values", () => {
    const logLine = JSON.stringify({ level: "INFO", message: "graphql request", requestId: "r" });
    for (const line of [logLine, "not json", "{", "null", '{"_aws":{"CloudWatchMetrics":"x"}}', '{"_aws":{"CloudWatchMetrics":[{"Metrics":[{"Name":"A"}]}]},"A":"one"}']) {
      expect(parseEmf(line)).toEqual([]);
      expect(isEmfLine(line)).toBe(false);
    }
    expect(parseEmf('{"_aws":{"CloudWatchMetrics":[{"Metrics":[{"Name":"A"}]}]},"A":2}')).toEqual([{ name: "A", unit: "None", values: [2], dimensions: {} }]);
  });
});
