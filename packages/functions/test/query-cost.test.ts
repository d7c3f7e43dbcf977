import {
  buildSchema,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmbeddedTable } from "../../core/test/embedded-table.ts";
import { operationCost, queryLimits } from "../src/graphql/armor.ts";
import { printSchemaSDL, schema } from "../src/graphql/schema.ts";
import { captureLogs } from "../src/log.ts";
import { createTestIssuer, createTestYoga, errorCodes, graphqlClient } from "./harness.ts";

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

function fullPage(target: GraphQLSchema, alias = "") {
  const note = target.getType("Note") as GraphQLObjectType;
  const pageInfo = target.getType("PageInfo") as GraphQLObjectType;
  return `${alias}notes(first: $first) { edges { cursor node { __typename ${allFields(note)} } } pageInfo { ${allFields(pageInfo)} } }`;
}

const fullPageQuery = (target: GraphQLSchema) => `query FullPage($first: Int) { ${fullPage(target)} }`;
const twoPagesQuery = (target: GraphQLSchema) =>
  `query TwoPages($first: Int) { ${fullPage(target, "a: ")} ${fullPage(target, "b: ")} }`;
const cost = (target: GraphQLSchema, query: string, first: number) =>
  operationCost(target, parse(query), undefined, { first })!;

/** The schema as it will be with an attachment object on Note (fileName, contentType, size, url). */
function withAttachmentObject(): GraphQLSchema {
  const sdl = printSchemaSDL();
  if (/^\s+attachment: Attachment$/m.test(sdl)) return schema;
  const extended = sdl.replace(/(\ntype Note implements Node \{[^}]*\n\s+attachment: )String\n/, "$1Attachment\n");
  expect(extended).not.toBe(sdl);
  return buildSchema(
    `${extended}\ntype Attachment { fileName: String! contentType: String! size: Int! url: String! }\n`,
  );
}

describe("cost limit calibration", () => {
  it("admits one full page of 100 notes with every field and refuses two", () => {
    const one = cost(schema, fullPageQuery(schema), 100);
    const two = cost(schema, twoPagesQuery(schema), 100);
    expect(one).toBeLessThanOrEqual(queryLimits.maxCost);
    expect(two).toBeGreaterThan(queryLimits.maxCost);
  });

  it("keeps both true once a note carries an attachment object", () => {
    const target = withAttachmentObject();
    expect(fullPageQuery(target)).toMatch(/ attachment \{ (contentType fileName size url|fileName contentType size url) \}/);
    expect(cost(target, fullPageQuery(target), 100)).toBeLessThanOrEqual(queryLimits.maxCost);
    expect(cost(target, twoPagesQuery(target), 100)).toBeGreaterThan(queryLimits.maxCost);
  });

  it("prices by the page size requested", () => {
    const query = fullPageQuery(schema);
    expect(cost(schema, query, 10) * 10).toBeCloseTo(cost(schema, query, 100));
    // Over the maximum counts as the maximum: the resolver refuses it before reading a page.
    expect(cost(schema, query, 5_000)).toBe(cost(schema, query, 100));
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
    const gql = graphqlClient(createTestYoga(issuer));
    const token = await issuer.token("calibration");
    const one = await gql(fullPageQuery(schema), { first: 100 }, { token });
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data.notes.edges).toEqual([]);
    const two = await gql(twoPagesQuery(schema), { first: 100 }, { token });
    expect(two.status).toBe(400);
    expect(errorCodes(two.body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(two.body.data).toBeUndefined();
  });

  it("prices the same document again for each request's variables, and a literal page once for all", async () => {
    const issuer = await createTestIssuer();
    const gql = graphqlClient(createTestYoga(issuer));
    const token = await issuer.token("calibration-variables");
    const pages = twoPagesQuery(schema);
    // One parsed document (yoga's cache), three requests: a price kept from the first would let the third through.
    expect((await gql(pages, { first: 10 }, { token })).body.errors).toBeUndefined();
    expect((await gql(pages, { first: 20 }, { token })).body.errors).toBeUndefined();
    const large = await gql(pages, { first: 100 }, { token });
    expect(large.status).toBe(400);
    expect(errorCodes(large.body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    // Literal sizes: refused every time, whatever (unused) variables come with it.
    const literal = `query Literal($unused: Int) { ${fullPage(schema, "a: ").replace("$first", "100")} ${fullPage(schema, "b: ").replace("$first", "100")} }`;
    for (const unused of [1, 2]) {
      const refused = await gql(literal, { unused }, { token });
      expect(errorCodes(refused.body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    }
    // A page size that does not coerce gets graphql-js's own variable error, not the cost rule's.
    const wrongType = await gql(pages, { first: "many" }, { token });
    expect(wrongType.body.errors?.map((e: { message: string }) => e.message)).toEqual([
      expect.stringMatching(/^Variable "\$first" got invalid value "many"/),
    ]);
  });
});
