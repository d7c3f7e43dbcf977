import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalHttpServer, KEEP_ALIVE_ANNOUNCED_SECONDS } from "../../src/local/http-server.ts";

const server = createLocalHttpServer((_req, res) => res.end("ok"));
beforeAll(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/** Reads one response (headers and a small body) from a keep-alive socket, or the error that ended it. */
function nextResponse(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (/\r\n\r\nok$/.test(text)) done(text);
    };
    const onError = (error: NodeJS.ErrnoException) => done(`error ${error.code}`);
    const onClose = () => done("closed");
    const done = (result: string) => {
      socket.off("data", onData).off("error", onError).off("close", onClose);
      resolve(result);
    };
    socket.on("data", onData).on("error", onError).on("close", onClose);
  });
}

describe("the local HTTP server's keep-alive", () => {
  it("announces a shorter idle timeout than it keeps", async () => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write(REQUEST);
    const response = await nextResponse(socket);
    expect(response).toMatch(new RegExp(`\\r\\nkeep-alive: timeout=${KEEP_ALIVE_ANNOUNCED_SECONDS}\\r\\n`, "i"));
    socket.destroy();
  });

  it("answers, not resets, a request sent on a kept-alive connection while the server was busy past the announced timeout", async () => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write(REQUEST);
    expect(await nextResponse(socket)).toMatch(/^HTTP\/1.1 200/);
    // The client reuses the connection at once, as the server allowed; the server (this process) is
    // then busy — as under a burst of requests — for longer than it announced.
    const second = nextResponse(socket);
    socket.write(REQUEST);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, KEEP_ALIVE_ANNOUNCED_SECONDS * 1000 + 1000);
    expect(await second).toMatch(/^HTTP\/1.1 200/);
    socket.destroy();
  });
});
