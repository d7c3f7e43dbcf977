/** A Powertools JSON line, pretty-printed, its level coloured; any other line as it is. */
export function LogLine({ line }: { line: string }) {
  let parsed: Record<string, unknown> | null = null;
  try {
    const value = JSON.parse(line) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON: shown raw.
  }
  if (!parsed) return <pre className="log">{line}</pre>;
  const level = typeof parsed.level === "string" ? parsed.level : "INFO";
  return (
    <div className={`log level-${level.toLowerCase()}`}>
      <span className="level">{level}</span> <strong>{String(parsed.message ?? "")}</strong>
      <pre>{JSON.stringify(parsed, null, 2)}</pre>
    </div>
  );
}
