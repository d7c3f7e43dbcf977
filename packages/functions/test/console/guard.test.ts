import { describe, expect, it } from "vitest";
import { consoleRefusal } from "../../src/local/console/guard.ts";
import { InvocationStore } from "../../src/local/console/invocation-store.ts";
import type { Invocation } from "../../src/local/invocation.ts";

const listening = { host: "localhost", port: 4000 };

describe("the console's Host and Origin guard", () => {
  it("answers its own address and the loopback names on its port", () => {
    for (const host of ["localhost:4000", "127.0.0.1:4000", "[::1]:4000", "LOCALHOST:4000"]) {
      expect(consoleRefusal({ host }, listening)).toBeNull();
      expect(consoleRefusal({ host, origin: `http://${host.toLowerCase()}`, "sec-fetch-site": "same-origin" }, listening)).toBeNull();
    }
    expect(consoleRefusal({ host: "[::1]:4000" }, { host: "::1", port: 4000 })).toBeNull();
  });

  it("refuses another Host (DNS rebinding), another port, or none", () => {
    for (const host of ["evil.example:4000", "localhost:4001", "localhost", "127.0.0.1.nip.io:4000", undefined]) {
      expect(consoleRefusal({ host }, listening)).toBe("FOREIGN_HOST");
    }
  });

  it("refuses cross-origin requests, by Origin or by Sec-Fetch-Site", () => {
    expect(consoleRefusal({ host: "localhost:4000", origin: "http://evil.example" }, listening)).toBe("CROSS_ORIGIN");
    expect(consoleRefusal({ host: "localhost:4000", origin: "http://localhost:5173" }, listening)).toBe("CROSS_ORIGIN");
    expect(consoleRefusal({ host: "localhost:4000", origin: "null" }, listening)).toBe("CROSS_ORIGIN");
    expect(consoleRefusal({ host: "localhost:4000", "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" }, listening)).toBe("CROSS_ORIGIN");
    expect(consoleRefusal({ host: "localhost:4000", "sec-fetch-site": "same-site", "sec-fetch-mode": "no-cors" }, listening)).toBe("CROSS_ORIGIN");
    // Following a link to the page is no read of its data.
    expect(consoleRefusal({ host: "localhost:4000", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" }, listening)).toBeNull();
  });
});

describe("the invocation store", () => {
  const inv = (i: number): Invocation => ({
    requestId: `r${i}`,
    startedAt: new Date(i * 1000).toISOString(),
    route: "POST /graphql",
    status: 200,
    durationMs: 1,
    cold: false,
    worker: 1,
    request: { variables: { token: "secret" } },
    logLines: [`line ${i}`],
  });

  it("keeps the newest, newest first, up to its capacity, and tells its listeners", () => {
    const store = new InvocationStore(3);
    const heard: string[] = [];
    const stop = store.subscribe((summary) => heard.push(summary.requestId));
    for (let i = 1; i <= 5; i++) store.add(inv(i));
    stop();
    store.add(inv(6));
    expect(store.list().map((summary) => summary.requestId)).toEqual(["r6", "r5", "r4"]);
    expect(heard).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    expect(store.get("r1")).toBeUndefined();
    expect(store.get("r5")).toMatchObject({ logLines: ["line 5"], request: { variables: { token: "[redacted]" } }, metrics: [] });
    expect(store.list()[0]).not.toHaveProperty("logLines");
  });
});
