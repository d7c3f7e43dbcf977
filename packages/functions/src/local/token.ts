import { mintDevToken } from "./dev-issuer.ts";
import { localSettingsFromEnv } from "./settings.ts";

/** `npm run token -- <userId>`: prints a bearer token, alone on stdout, for the local server. */
const userId = process.argv[2];
if (!userId || userId.length > 256 || process.argv.length > 3) {
  process.stderr.write("Usage: npm run token -- <userId>\n");
  process.exit(2);
}
try {
  process.stdout.write((await mintDevToken(localSettingsFromEnv().dataDir, userId)) + "\n");
} catch (error) {
  // A bad PORT or an unusable DATA_DIR is the user's to fix: one line, as npm start says it.
  process.stderr.write(`Cannot mint a token: ${(error as Error).message}.\n`);
  process.exit(1);
}
