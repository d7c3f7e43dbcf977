/**
 * A true/false setting from the environment, read the same way by the Lambda and the local server:
 * `true`/`1` or `false`/`0` (any case), unset or empty = undefined; anything else is a mistake to
 * say out loud, not to read as false.
 */
export function flagFromEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (!value) return undefined;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

const POWERTOOLS_TRUE = new Set(["1", "y", "yes", "t", "true", "on"]);
const POWERTOOLS_FALSE = new Set(["0", "n", "no", "f", "false", "off"]);

/**
 * A boolean setting read the way Powertools for AWS Lambda reads its own (POWERTOOLS_DEV,
 * POWERTOOLS_METRICS_DISABLED): any case, trimmed, these words; anything else is undefined.
 */
export function powertoolsBoolean(value: string | undefined): boolean | undefined {
  const word = value?.trim().toLowerCase() ?? "";
  return POWERTOOLS_TRUE.has(word) ? true : POWERTOOLS_FALSE.has(word) ? false : undefined;
}
