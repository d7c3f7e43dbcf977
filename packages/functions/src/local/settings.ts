import { resolve } from "node:path";
import { flagFromEnv } from "../env-flag.ts";
import type { LogFormat } from "./terminal.ts";

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
  /** LOG_FORMAT: "readable" (one line per request) or "json" (the Lambda's own lines). */
  logFormat?: LogFormat;
  /** LAMBDA_CONCURRENCY: most Lambda workers at once (10 unless given). */
  lambdaConcurrency?: number;
  /** LAMBDA_INSPECT: one Lambda worker under the Node inspector on this port. */
  lambdaInspectPort?: number;
  /** npm run dev (`--watch`): rebuild the function on save. */
  watch?: boolean;
  /** The local WebSocket API closes a connection idle this long (API Gateway: 10 minutes); tests shorten it. */
  websocketIdleTimeoutMs?: number;
}

export function localSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  // An empty variable (`PORT= npm start`) counts as unset: Number("") would quietly be port 0,
  // and resolve("") the current directory.
  const port = Number(env.PORT?.trim() || 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  const logFormat = env.LOG_FORMAT?.trim().toLowerCase() || "readable";
  if (logFormat !== "readable" && logFormat !== "json") {
    throw new Error(`LOG_FORMAT must be "readable" or "json", got "${env.LOG_FORMAT}"`);
  }
  const concurrency = Number(env.LAMBDA_CONCURRENCY?.trim() || 10);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`LAMBDA_CONCURRENCY must be a whole number from 1, got "${env.LAMBDA_CONCURRENCY}"`);
  }
  const inspect = env.LAMBDA_INSPECT?.trim() ? Number(env.LAMBDA_INSPECT) : undefined;
  if (inspect !== undefined && (!Number.isInteger(inspect) || inspect < 1 || inspect > 65_535)) {
    throw new Error(`LAMBDA_INSPECT must be a port number, got "${env.LAMBDA_INSPECT}"`);
  }
  return {
    logFormat,
    dataDir: resolve(env.DATA_DIR?.trim() || ".data"),
    port,
    host: env.HOST?.trim() || "localhost",
    tableName: env.NOTES_TABLE ?? "notes",
    trustedDocumentsOnly: flagFromEnv(env, "TRUSTED_DOCUMENTS_ONLY") ?? false,
    bucketName: env.ATTACHMENTS_BUCKET?.trim() || "notes-attachments",
    lambdaConcurrency: concurrency,
    lambdaInspectPort: inspect,
  };
}
