import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

/**
 * The benchmark's S3: s3rver on a loopback port in its own process (its CPU never lands in a
 * measured process), files in a temporary directory. Reports its endpoint over IPC; stops, and
 * removes its files, when the parent goes.
 */
const bucketName = process.env.ATTACHMENTS_BUCKET ?? "notes-bench-attachments";
const directory = await mkdtemp(path.join(os.tmpdir(), "notes-bench-s3-"));
const s3rver = new S3rver({ directory, silent: true, vhostBuckets: false, configureBuckets: [{ name: bucketName }] });
await s3rver.configureBuckets();
const server = createServer(s3rver.callback());
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(directory, { recursive: true, force: true });
  process.exit(0);
}
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
process.send!({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bucketName });
