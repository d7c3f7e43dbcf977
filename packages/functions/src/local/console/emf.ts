/**
 * CloudWatch Embedded Metric Format lines read back as named numbers: what CloudWatch would make of
 * a line, for the local console. A line that is not EMF gives nothing.
 */
export interface MetricValue {
  name: string;
  unit: string;
  /** One value per request or call the line aggregated (EMF allows arrays). */
  values: number[];
  /** The line's dimension values (all its dimension sets together), e.g. { service, operation }. */
  dimensions: Record<string, string>;
}

interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

export function parseEmf(line: string): MetricValue[] {
  try {
    return emfMetrics(JSON.parse(line));
  } catch {
    return [];
  }
}

/** The metrics of a line already parsed (nothing unless it is an EMF document). */
function emfMetrics(parsed: unknown): MetricValue[] {
  if (parsed === null || typeof parsed !== "object") return [];
  const document = parsed as Record<string, unknown>;
  const directives = (document._aws as { CloudWatchMetrics?: unknown } | undefined)?.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [];
  const metrics: MetricValue[] = [];
  for (const directive of directives as EmfDirective[]) {
    const dimensionSets = Array.isArray(directive?.Dimensions) ? (directive.Dimensions as unknown[]) : [];
    const dimensions: Record<string, string> = {};
    for (const name of dimensionSets.flatMap((set) => (Array.isArray(set) ? set : []))) {
      if (typeof name === "string" && typeof document[name] === "string") dimensions[name] = document[name];
    }
    for (const definition of Array.isArray(directive?.Metrics) ? (directive.Metrics as { Name?: unknown; Unit?: unknown }[]) : []) {
      if (typeof definition?.Name !== "string") continue;
      const raw = document[definition.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter((value): value is number => typeof value === "number");
      if (values.length === 0) continue;
      metrics.push({ name: definition.Name, unit: typeof definition.Unit === "string" ? definition.Unit : "None", values, dimensions });
    }
  }
  return metrics;
}

/** True for a line CloudWatch would read as metrics rather than as a log event. */
export function isEmfLine(line: string): boolean {
  return line.startsWith('{"_aws":') && parseEmf(line).length > 0;
}

/** An invocation's lines as CloudWatch sees them: log events, and the metrics of its EMF lines. */
export function separateMetrics(lines: readonly string[]): { logLines: string[]; metrics: MetricValue[] } {
  const logLines: string[] = [];
  const metrics: MetricValue[] = [];
  for (const line of lines) {
    const found = line.startsWith('{"_aws":') ? parseEmf(line) : [];
    if (found.length > 0) metrics.push(...found);
    else logLines.push(line);
  }
  return { logLines, metrics };
}
