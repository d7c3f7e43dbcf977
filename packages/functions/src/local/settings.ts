import { resolve } from "node:path";
import { flagFromEnv } from "../env-flag.ts";

/** Local server configuration: environment variables with the defaults the README lists. */
export interface LocalSettings {
  dataDir: string;
  port: number;
  host: string;
  tableName: string;
  /** TRUSTED_DOCUMENTS_ONLY=true: run only the web app's trusted documents, as a stage can. */
  trustedDocumentsOnly?: boolean;
  /** The local S3 bucket; ATTACHMENTS_BUCKET, or "notes-attachments". */
  bucketName: string;
}

export function localSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  // An empty variable (`PORT= npm start`) counts as unset: Number("") would quietly be port 0,
  // and resolve("") the current directory.
  const port = Number(env.PORT?.trim() || 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    dataDir: resolve(env.DATA_DIR?.trim() || ".data"),
    port,
    host: env.HOST?.trim() || "localhost",
    tableName: env.NOTES_TABLE ?? "notes",
    trustedDocumentsOnly: flagFromEnv(env, "TRUSTED_DOCUMENTS_ONLY") ?? false,
    bucketName: env.ATTACHMENTS_BUCKET?.trim() || "notes-attachments",
  };
}
