import type { IncomingHttpHeaders } from "node:http";

/**
 * The console answers only its own page: a Host that is the server's own address (a DNS-rebinding
 * page names its own domain there) and no Origin but its own (a cross-origin page's fetch, form or
 * EventSource). Returns why a request is refused, or null.
 */
export function consoleRefusal(headers: IncomingHttpHeaders, listening: { host: string; port: number }): string | null {
  const host = headers.host?.toLowerCase();
  if (!host || !ownHosts(listening).has(host)) return "FOREIGN_HOST";
  const origin = headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) return "CROSS_ORIGIN";
  // Browsers say so in Sec-Fetch-Site even where they leave Origin out; following a link is no read.
  const site = headers["sec-fetch-site"];
  const navigation = headers["sec-fetch-mode"] === "navigate";
  if (site !== undefined && site !== "same-origin" && site !== "none" && !navigation) return "CROSS_ORIGIN";
  return null;
}

/** host:port as a browser sends it for the listening address and the loopback names, same port. */
function ownHosts({ host, port }: { host: string; port: number }): Set<string> {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return new Set([bracketed, "localhost", "127.0.0.1", "[::1]"].map((name) => `${name.toLowerCase()}:${port}`));
}
