import { VisibleError } from "@notes/core/errors";
import * as Note from "@notes/core/note";
import type { Caller } from "@notes/functions/graphql/context";
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

/** The baseline's resolvers: the same core verbs our Pothos types call, nothing more. */
export interface ApolloContext {
  caller: Caller | null;
}

function requireCaller(context: ApolloContext): Caller {
  if (!context.caller) throw new VisibleError("UNAUTHENTICATED", "A valid bearer token is required.");
  return context.caller;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function parseDateTime(value: unknown): string {
  if (typeof value === "string" && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value))) {
    return new Date(value).toISOString();
  }
  throw new GraphQLError("DateTime must be an ISO-8601 UTC string.");
}

type Args<T> = Record<string, unknown> & T;

export const resolvers = {
  DateTime: new GraphQLScalarType({
    name: "DateTime",
    serialize: (value) => value,
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
  }),
  Query: {
    me: (_root: unknown, _args: unknown, context: ApolloContext) => context.caller,
    note: (_root: unknown, args: Args<{ id: string }>, context: ApolloContext) =>
      Note.get(requireCaller(context).id, args.id),
    notes: (_root: unknown, args: Args<Note.ListInput>, context: ApolloContext) =>
      Note.list(requireCaller(context).id, args),
  },
  Mutation: {
    createNote: (_root: unknown, args: Args<{ input: Note.CreateInput }>, context: ApolloContext) =>
      Note.create(requireCaller(context).id, args.input),
    updateNote: (_root: unknown, args: Args<{ input: Note.UpdateInput }>, context: ApolloContext) =>
      Note.update(requireCaller(context).id, args.input),
    deleteNote: (_root: unknown, args: Args<{ id: string }>, context: ApolloContext) =>
      Note.remove(requireCaller(context).id, args.id),
  },
  NoteConnection: {
    edges: (page: Note.Page) => page.notes,
    pageInfo: (page: Note.Page) => page,
  },
  NoteEdge: {
    cursor: (note: Note.Note) => Note.cursorFor(note),
    node: (note: Note.Note) => note,
  },
};
