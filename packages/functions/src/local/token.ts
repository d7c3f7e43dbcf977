import { LOCAL_USER_NAME, localUserToken, NoLocalServerError } from "./cognito.ts";
import { localSettingsFromEnv } from "./settings.ts";

/**
 * `npm run token -- <name>`: signs `<name>@example.com` in to the local user pool of the running
 * `npm start` (created on first use) and prints the access token, alone on stdout.
 */
// Its stdout and stderr are the contract (the token, or one line): the SDK's Node 20 notice is for npm start to show.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const name = process.argv.length === 3 ? process.argv[2]!.trim() : "";
if (!LOCAL_USER_NAME.test(name)) {
  process.stderr.write("Usage: npm run token -- <name>   (1 to 64 letters, digits or . _ + -; signs in as <name>@example.com)\n");
  process.exit(2);
}
try {
  process.stdout.write((await localUserToken(localSettingsFromEnv().dataDir, name)) + "\n");
} catch (error) {
  // No server, a bad DATA_DIR or a pool that refuses: the user's to fix, one line as npm start says it.
  const message =
    error instanceof NoLocalServerError
      ? `Cannot get a token: ${error.message}. Start it first with npm start (same DATA_DIR).`
      : `Cannot get a token: ${(error as Error).message}.`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
