import {
  getNamedType,
  getOperationAST,
  isLeafType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLObjectType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmbeddedTable } from "../../core/test/embedded-table.ts";
import { operationCost, queryLimits } from "../src/graphql/armor.ts";
import { schema } from "../src/graphql/schema.ts";
import { captureLogs } from "../src/log.ts";
import { errorCodes, graphqlClient, inProcess } from "./graphql-client.ts";
import { GRAPHQL_URL, createTestYoga } from "./harness.ts";
import { createTestIssuer } from "./test-issuer.ts";

/**
 * Calibration of the cost limit, built from the schema itself: one page of 100 notes asking for
 * every Note field (object fields with every one of their fields) and the full PageInfo must pass,
 * the same page twice (aliases) must not. Adding fields to Note re-runs this check by itself.
 */

/** Every field of a type that takes no required argument, objects expanded one level down. */
function allFields(type: GraphQLObjectType, depth = 0): string {
  return Object.values(type.getFields())
    .filter((field) => field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined))
    .map((field) => {
      const named = getNamedType(field.type);
      if (isLeafType(named)) return field.name;
      if (isObjectType(named) && depth === 0) return `${field.name} { ${allFields(named, depth + 1)} }`;
      return "";
    })
    .filter(Boolean)
    .join(" ");
}

function fullPage(alias = "") {
  const note = schema.getType("Note") as GraphQLObjectType;
  const pageInfo = schema.getType("PageInfo") as GraphQLObjectType;
  return `${alias}notes(first: $first) { edges { cursor node { __typename ${allFields(note)} } } pageInfo { ${allFields(pageInfo)} } }`;
}

const fullPageQuery = `query FullPage($first: Int) { ${fullPage()} }`;
const twoPagesQuery = `query TwoPages($first: Int) { ${fullPage("a: ")} ${fullPage("b: ")} }`;
const cost = (query: string, first: number) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, { first })!;
};

describe("cost limit calibration", () => {
  it("admits one full page of 100 notes with every field and refuses two", () => {
    const one = cost(fullPageQuery, 100);
    const two = cost(twoPagesQuery, 100);
    expect(one).toBeLessThanOrEqual(queryLimits.maxCost);
    expect(two).toBeGreaterThan(queryLimits.maxCost);
  });

  it("prices by the page size requested", () => {
    // Every note of a page costs the same (its fields), so 90 more notes cost 90 times one.
    const perNote = cost(fullPageQuery, 2) - cost(fullPageQuery, 1);
    expect(perNote).toBeGreaterThan(10);
    expect(cost(fullPageQuery, 100) - cost(fullPageQuery, 10)).toBe(90 * perNote);
    // Over the maximum counts as the maximum: the resolver refuses it before reading a page.
    expect(cost(fullPageQuery, 5_000)).toBe(cost(fullPageQuery, 100));
  });
});

describe("the full page through the real server", () => {
  let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
  let restoreLogs: () => void;
  beforeAll(async () => {
    restoreLogs = captureLogs(() => {}, "SILENT");
    db = await useEmbeddedTable();
  });
  afterAll(async () => {
    await db?.close();
    restoreLogs?.();
  });

  it("serves one full page and refuses two with GRAPHQL_VALIDATION_FAILED and no data", async () => {
    const issuer = await createTestIssuer();
    const gql = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(issuer)));
    const token = await issuer.token("calibration");
    const one = await gql(fullPageQuery, { first: 100 }, { token });
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data.notes.edges).toEqual([]);
    const two = await gql(twoPagesQuery, { first: 100 }, { token });
    expect(two.status).toBe(400);
    expect(errorCodes(two.body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(two.body.data).toBeUndefined();
  });

  // Each document is sent again and again (yoga parses it once): a price kept from an earlier
  // request would let a later, dearer one through.
  const note = () => allFields(schema.getType("Note") as GraphQLObjectType);
  const manyIds = Array.from({ length: 100 }, (_, i) => `01J00000000000000000000${String(i).padStart(3, "0")}`);
  const repriced: [label: string, query: string, cheap: Record<string, unknown>, dear: Record<string, unknown>, operationName?: string][] = [
    ["aliased pages", twoPagesQuery, { first: 10 }, { first: 100 }],
    [
      "pages in a fragment",
      `query InFragment($first: Int) { ...Pages } fragment Pages on Query { ${fullPage("a: ")} ${fullPage("b: ")} }`,
      { first: 10 },
      { first: 100 },
    ],
    [
      "nodes(ids:)",
      `query Nodes($ids: [ID!]!) { ${["a", "b", "c"].map((alias) => `${alias}: nodes(ids: $ids) { id ... on Note { ${note()} } }`).join(" ")} }`,
      { ids: manyIds.slice(0, 1) },
      { ids: manyIds },
    ],
    [
      "the dear one of two operations",
      `query Small { me { id } } query Big($first: Int) { ${fullPage("a: ")} ${fullPage("b: ")} }`,
      { first: 10 },
      { first: 100 },
      "Big",
    ],
  ];

  it.each(repriced)("prices %s again for each request's variables", async (_label, query, cheap, dear, operationName) => {
    const issuer = await createTestIssuer();
    const gql = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(issuer)));
    const token = await issuer.token("calibration-variables");
    if (operationName) expect((await gql(query, {}, { token, operationName: "Small" })).body.errors).toBeUndefined();
    expect((await gql(query, cheap, { token, operationName })).body.errors).toBeUndefined();
    const refused = await gql(query, dear, { token, operationName });
    expect(refused.status).toBe(400);
    expect(errorCodes(refused.body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(refused.body.data).toBeUndefined();
    // And the cheap one still passes after the dear one was refused.
    expect((await gql(query, cheap, { token, operationName })).body.errors).toBeUndefined();
  });

  it("prices a document whose variables reach no priced field once, for every request", async () => {
    const issuer = await createTestIssuer();
    const gql = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(issuer)));
    const token = await issuer.token("calibration-literal");
    const literal = `query Literal($id: ID!) { note(id: $id) { id } ${fullPage("a: ").replace("$first", "100")} ${fullPage("b: ").replace("$first", "100")} }`;
    for (const id of manyIds.slice(0, 3)) {
      const refused = await gql(literal, { id }, { token });
      expect(refused.status).toBe(400);
      expect(errorCodes(refused.body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    }
    const affordable = `query One($id: ID!) { note(id: $id) { id } ${fullPage().replace("$first", "100")} }`;
    for (const id of manyIds.slice(0, 3)) expect((await gql(affordable, { id }, { token })).body.errors).toBeUndefined();
  });

  it("answers a page size that does not coerce with graphql-js's own variable error", async () => {
    const issuer = await createTestIssuer();
    const gql = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(issuer)));
    const token = await issuer.token("calibration-coercion");
    const wrongType = await gql(twoPagesQuery, { first: "many" }, { token });
    expect(wrongType.body.errors?.map((e: { message: string }) => e.message)).toEqual([
      expect.stringMatching(/^Variable "\$first" got invalid value "many"/),
    ]);
  });
});
