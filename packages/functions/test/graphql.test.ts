import { graphqlContract } from "./graphql-contract.ts";

/** The GraphQL contract in-process: yoga.fetch, no port. */
graphqlContract("in-process");
