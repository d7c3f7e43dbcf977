import { devUserId, mintDevToken } from "./dev-issuer.ts";
import { localSettingsFromEnv } from "./settings.ts";

/** `npm run token -- <userId>`: prints a bearer token, alone on stdout, for the local server. */
// The same rule as the web app's dev sign-in: trimmed, 1 to 256 characters.
const userId = process.argv.length === 3 ? devUserId(process.argv[2]!) : null;
if (!userId) {
  process.stderr.write("Usage: npm run token -- <userId>   (1 to 256 characters, not only whitespace)\n");
  process.exit(2);
}
try {
  process.stdout.write((await mintDevToken(localSettingsFromEnv().dataDir, userId)) + "\n");
} catch (error) {
  // A bad PORT or an unusable DATA_DIR is the user's to fix: one line, as npm start says it.
  process.stderr.write(`Cannot mint a token: ${(error as Error).message}.\n`);
  process.exit(1);
}
