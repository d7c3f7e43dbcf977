import { graphqlContract } from "../graphql-contract.ts";

/** The same GraphQL contract over HTTP: the local API Gateway, the built bundle, its workers. */
graphqlContract("gateway");
