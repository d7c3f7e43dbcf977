import { resolve } from "node:path";

/** Local server configuration: environment variables with the defaults the README lists. */
export interface LocalSettings {
  dataDir: string;
  port: number;
  host: string;
  tableName: string;
}

export function localSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    dataDir: resolve(env.DATA_DIR ?? ".data"),
    port,
    host: env.HOST ?? "localhost",
    tableName: env.NOTES_TABLE ?? "notes",
  };
}
