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
