import { ApolloServer } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { handlers, startServerAndCreateLambdaHandler } from "@as-integrations/aws-lambda";
import { VisibleError } from "@notes/core/errors";
import { cognitoVerifierFromEnv } from "@notes/functions/auth";
import typeDefs from "../../schema.graphql";
import { resolvers, type ApolloContext } from "./resolvers.ts";

/**
 * The baseline a user would pick instead: Apollo Server 5 on Lambda, SDL-first from the same
 * schema.graphql, the same core module and the same token verification as our handler.
 */
const verifyAuthorization = cognitoVerifierFromEnv();

const server = new ApolloServer<ApolloContext>({
  typeDefs,
  resolvers,
  introspection: process.env.PROTECTED_STAGE !== "true",
  formatError(formatted, error) {
    const original = unwrapResolverError(error);
    if (original instanceof VisibleError) {
      return { ...formatted, extensions: { ...original.details, code: original.code } };
    }
    if (formatted.extensions?.code === "INTERNAL_SERVER_ERROR") {
      return { message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    return formatted;
  },
});

export const handler = startServerAndCreateLambdaHandler(
  server,
  handlers.createAPIGatewayProxyEventV2RequestHandler(),
  {
    context: async ({ event }) => ({
      caller: await verifyAuthorization(event.headers.authorization ?? null),
    }),
  },
);
