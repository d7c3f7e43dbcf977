import { pathToFileURL } from "node:url";
import { graphqlEvent, lambdaContext, noteBody } from "./events.ts";

/**
 * One cold start, in a fresh Node process: import the bundle, then one note(id) request through
 * its handler. Reports milliseconds since the process started (performance.now()'s origin).
 */
type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;

const [bundle, token, noteId] = process.argv.slice(2) as [string, string, string];
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
const importedMs = performance.now();
const result = await handler(graphqlEvent(token, noteBody(noteId)), lambdaContext());
const answeredMs = performance.now();
const answered = result.statusCode === 200 && result.body?.includes(`"id":"${noteId}"`) === true;
process.send!({ importedMs, answeredMs, ok: answered, status: result.statusCode, body: answered ? undefined : result.body?.slice(0, 500) }, () => process.exit(0));
