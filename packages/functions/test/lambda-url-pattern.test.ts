import { createRequire } from "node:module";
import fc from "fast-check";
import { createSchema, createYoga } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { URLPattern } from "../src/lambda-url-pattern.ts";

// The Lambda bundle's URLPattern (stacks/lambda-bundle.ts) against the polyfill it replaces: the copy yoga's fetch ponyfill loads.
const fromFetchPonyfill = createRequire(createRequire(import.meta.resolve("graphql-yoga")).resolve("@whatwg-node/fetch"));
const Polyfill: typeof URLPattern = fromFetchPonyfill("urlpattern-polyfill").URLPattern;

const segment = fc.constantFrom("graphql", "GraphQL", "graphq", "a", "v1.0", "", ".", "..", "%2e", "graph ql", "gr%61phql", "\\graphql", ";x");
const pathname = fc.array(segment, { maxLength: 4 }).map((segments) => `/${segments.join("/")}`);
const literal = fc
  .array(fc.constantFrom("graphql", "a", "v1.0", "x-y_z~", ""), { minLength: 1, maxLength: 3 })
  .map((segments) => `/${segments.join("/")}`);
const suffix = fc.constantFrom("", "?query=%7B%7D", "#top", "?a=/graphql", "/");
const origin = fc.constantFrom("https://api.example.com", "http://127.0.0.1:3000", "https://user:pw@h.example", "foo:");

describe("the Lambda bundle's URLPattern", () => {
  it("matches as the polyfill does for a literal pathname, given a URL string, a URL or a URL behind a proxy", () => {
    fc.assert(
      fc.property(literal, origin, pathname, suffix, (pattern, base, path, rest) => {
        const stub = new URLPattern({ pathname: pattern });
        const real = new Polyfill({ pathname: pattern });
        for (const [input, baseURL] of [[`${base}${path}${rest}`], [`${path}${rest}`, "https://api.example.com/base/"]]) {
          const url = URL.parse(input!, baseURL);
          if (url?.pathname.startsWith("//")) continue; // the polyfill's misreading, next test
          expect(stub.test(input!, baseURL)).toBe(real.test(input!, baseURL));
          if (!url) continue;
          // whatwg-node hands plugins a Proxy that builds the URL on first property read.
          const lazy = new Proxy({}, { get: (_target, key) => Reflect.get(url, key, url) }) as URL;
          expect(stub.test(url)).toBe(real.test(url));
          expect(stub.test(lazy)).toBe(real.test(lazy));
        }
      }),
      { numRuns: 1_000 },
    );
    expect(new URLPattern({ pathname: "/graphql" }).test("https://h.example/graphql?x=1#y")).toBe(true);
  });

  it("reads a pathname that starts with // as a path, as the URLPattern standard does (the polyfill reads a host)", () => {
    const href = "https://api.example.com//h.example/graphql?query=%7B%7D";
    expect(new Polyfill({ pathname: "/graphql" }).test(href)).toBe(true);
    expect(new URLPattern({ pathname: "/graphql" }).test(href)).toBe(false);
    expect(new URLPattern({ pathname: "/graphql" }).test(new URL(href))).toBe(false);
  });

  it.each([
    [":id", { pathname: "/notes/:id" }],
    ["a wildcard", { pathname: "/graphql/*" }],
    ["a group", { pathname: "/graphql{/}?" }],
    ["a regular expression", { pathname: "/(graphql|api)" }],
    ["a dot segment", { pathname: "/a/../graphql" }],
    ["a character a URL encodes", { pathname: "/graph ql" }],
    ["a relative pathname", { pathname: "graphql" }],
    ["no pathname", {}],
    ["another component", { pathname: "/graphql", hostname: "example.com" }],
    ["a pattern string", "https://example.com/graphql"],
  ])("refuses a pattern with %s", (_what, input) => {
    expect(() => new URLPattern(input)).toThrow(/takes only \{ pathname: "\/a\/literal\/path" \}/);
  });

  it("refuses a base URL, an input that is not a URL, and exec", () => {
    expect(() => new URLPattern({ pathname: "/graphql" }, "https://example.com")).toThrow(/with a base URL/);
    const pattern = new URLPattern({ pathname: "/graphql" });
    expect(() => pattern.test({ pathname: "/graphql" } as unknown as URL)).toThrow(/takes a URL or a URL string/);
    expect(() => pattern.test(new URL("https://h.example/graphql"), "https://h.example")).toThrow(/takes a URL/);
    expect(() => pattern.exec()).toThrow(/exec is not available/);
  });

  it("is all yoga needs to tell its endpoint from other paths, for queries and for GraphiQL", async () => {
    const yoga = createYoga({
      schema: createSchema({ typeDefs: "type Query { ok: Boolean }", resolvers: { Query: { ok: () => true } } }),
      graphqlEndpoint: "/graphql",
      landingPage: false,
      fetchAPI: { URLPattern: URLPattern as never },
    });
    expect(yoga.fetchAPI.URLPattern).toBe(URLPattern);
    const post = (path: string) =>
      yoga.fetch(`http://localhost${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"query":"{ ok }"}',
      });
    for (const path of ["/notes", "/graphql/extra", "/GraphQL", "/a/graphql/b"]) {
      expect((await post(path)).status, path).toBe(404);
      const page = await yoga.fetch(`http://localhost${path}`, { headers: { accept: "text/html" } });
      expect(page.status, path).toBe(404);
    }
    for (const path of ["/graphql", "/graphql/", "/stage/graphql"]) {
      expect(await (await post(path)).json(), path).toEqual({ data: { ok: true } });
    }
    const graphiql = await yoga.fetch("http://localhost/graphql", { headers: { accept: "text/html" } });
    expect(await graphiql.text()).toMatch(/graphiql/i);
  });
});
