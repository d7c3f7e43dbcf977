import { describe, expect, it } from "vitest";
import { httpApiAnswer, httpApiEvent, httpApiRequestId } from "../../src/local/api-gateway.ts";

/** A request as Node's HTTP server hands it over: raw header names and values, alternating. */
function request(init: { method?: string; url?: string; headers?: [string, string][]; body?: Buffer | string }) {
  return {
    method: init.method ?? "POST",
    url: init.url ?? "/my/path",
    rawHeaders: (init.headers ?? []).flat(),
    sourceIp: "192.0.2.1",
    body: Buffer.from(init.body ?? ""),
  };
}

const AT = new Date("2020-03-12T19:03:58.390Z");

describe("payload format 2.0 events, as API Gateway's documentation shows them", () => {
  it("matches the documented example: repeated headers and query keys joined with commas, cookies apart, lowercase names", () => {
    const event = httpApiEvent(
      request({
        url: "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        headers: [
          ["Host", "id.execute-api.us-east-1.amazonaws.com"],
          ["Header1", "value1"],
          ["Header2", "value1"],
          ["header2", "value2"],
          ["Cookie", "cookie1"],
          ["Cookie", "cookie2"],
          ["User-Agent", "agent"],
          ["Content-Type", "text/plain"],
        ],
        body: "Hello from Lambda",
      }),
      "$default",
      "id",
      AT,
    );
    expect(event).toEqual({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/my/path",
      rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
      cookies: ["cookie1", "cookie2"],
      headers: {
        host: "id.execute-api.us-east-1.amazonaws.com",
        header1: "value1",
        header2: "value1,value2",
        "user-agent": "agent",
        "content-type": "text/plain",
      },
      queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: "id.execute-api.us-east-1.amazonaws.com",
        domainPrefix: "id",
        http: { method: "POST", path: "/my/path", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "agent" },
        requestId: "id",
        routeKey: "$default",
        stage: "$default",
        time: "12/Mar/2020:19:03:58 +0000",
        timeEpoch: 1584039838390,
      },
      body: "Hello from Lambda",
      isBase64Encoded: false,
    });
  });

  it("splits one Cookie header into its cookies and keeps no cookie header", () => {
    const event = httpApiEvent(request({ headers: [["cookie", "a=1; b=2;c=3"]] }), "POST /graphql", "id", AT);
    expect(event.cookies).toEqual(["a=1", "b=2", "c=3"]);
    expect(event.headers).not.toHaveProperty("cookie");
  });

  it("has no body, no cookies and no queryStringParameters when the request has none", () => {
    const event = httpApiEvent(request({ method: "GET", url: "/graphql" }), "GET /graphql", "id", AT);
    expect(event).not.toHaveProperty("body");
    expect(event).not.toHaveProperty("cookies");
    expect(event).not.toHaveProperty("queryStringParameters");
    expect([event.rawQueryString, event.isBase64Encoded]).toEqual(["", false]);
  });

  it("base64-encodes a body of a non-text type, and a text body that is not UTF-8", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const binary = httpApiEvent(request({ headers: [["content-type", "image/png"]], body: png }), "POST /graphql", "id", AT);
    expect([binary.isBase64Encoded, Buffer.from(binary.body!, "base64")]).toEqual([true, png]);
    const latin1 = Buffer.from("Zürich", "latin1");
    const notUtf8 = httpApiEvent(request({ headers: [["content-type", "application/json"]], body: latin1 }), "POST /graphql", "id", AT);
    expect([notUtf8.isBase64Encoded, Buffer.from(notUtf8.body!, "base64")]).toEqual([true, latin1]);
    const json = httpApiEvent(request({ headers: [["content-type", "application/json; charset=utf-8"]], body: '{"q":"é"}' }), "POST /graphql", "id", AT);
    expect([json.isBase64Encoded, json.body]).toEqual([false, '{"q":"é"}']);
  });

  it("names requests with ids shaped as API Gateway's", () => {
    const ids = new Set(Array.from({ length: 50 }, () => httpApiRequestId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
  });
});

describe("the function's result, as API Gateway maps it back", () => {
  it("takes statusCode, headers, cookies (one set-cookie each) and a base64 body", () => {
    const answer = httpApiAnswer({
      statusCode: 201,
      headers: { "Content-Type": "image/png", "x-count": 3 },
      multiValueHeaders: { "x-ignored": ["a", "b"] },
      cookies: ["a=1; Path=/", "b=2"],
      body: Buffer.from([1, 2, 255]).toString("base64"),
      isBase64Encoded: true,
    });
    expect(answer).toEqual({
      status: 201,
      headers: [
        ["content-type", "image/png"],
        ["x-count", "3"],
        ["set-cookie", "a=1; Path=/"],
        ["set-cookie", "b=2"],
      ],
      body: Buffer.from([1, 2, 255]),
    });
  });

  it("answers a result without statusCode as a 200 with that JSON", () => {
    expect(httpApiAnswer({ hello: "world" })).toEqual({
      status: 200,
      headers: [["content-type", "application/json"]],
      body: Buffer.from('{"hello":"world"}'),
    });
    expect(httpApiAnswer(["a"]).body.toString()).toBe('["a"]');
    expect(httpApiAnswer(null).body.toString()).toBe("null");
  });

  it("refuses a result it cannot map with API Gateway's 502", () => {
    for (const result of [{ statusCode: "200" }, { statusCode: 200, body: 5 }, { statusCode: 99 }]) {
      const answer = httpApiAnswer(result);
      expect([answer.status, JSON.parse(answer.body.toString())]).toEqual([502, { message: "Internal Server Error" }]);
    }
  });
});
