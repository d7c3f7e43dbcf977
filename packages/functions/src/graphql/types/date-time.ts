import { GraphQLError, Kind } from "graphql";
import { builder } from "../builder.ts";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function parseDateTime(value: unknown): string {
  if (typeof value === "string" && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value))) {
    return new Date(value).toISOString();
  }
  throw new GraphQLError("DateTime must be an ISO-8601 UTC string, e.g. 2026-01-31T12:00:00.000Z.");
}

builder.scalarType("DateTime", {
  description: "An ISO-8601 timestamp in UTC, e.g. 2026-01-31T12:00:00.000Z.",
  serialize: (value) => value,
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
