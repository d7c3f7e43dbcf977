import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";
import { describe, expect, it } from "vitest";
import { useLocalApi } from "../hardening/local-api.ts";

/** Apollo Client 4, as a third-party app would set it up, against the real local server over HTTP. */
const api = useLocalApi();

function createClient(token: string) {
  return new ApolloClient({
    link: new HttpLink({ uri: api.url, headers: { authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache({
      // Node is an interface: Apollo needs its implementations to match `... on Note` under node(id:).
      possibleTypes: { Node: ["Note", "User"] },
      typePolicies: { Query: { fields: { notes: relayStylePagination() } } },
    }),
  });
}

const NOTE_FIELDS = gql`
  fragment NoteFields on Note {
    id
    content
    attachment {
      fileName
      contentType
      size
      url
    }
    createdAt
    updatedAt
    version
  }
`;

const NOTES = gql`
  query Notes($first: Int!, $after: String) {
    notes(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...NoteFields
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
  ${NOTE_FIELDS}
`;

const NODE = gql`
  query Node($id: ID!) {
    node(id: $id) {
      id
      ... on Note {
        ...NoteFields
      }
    }
  }
  ${NOTE_FIELDS}
`;

const CREATE = gql`
  mutation Create($content: String!) {
    createNote(input: { content: $content }) {
      ...NoteFields
    }
  }
  ${NOTE_FIELDS}
`;

const UPDATE = gql`
  mutation Update($id: ID!, $content: String!, $expectedVersion: Int) {
    updateNote(input: { id: $id, content: $content, expectedVersion: $expectedVersion }) {
      ...NoteFields
    }
  }
  ${NOTE_FIELDS}
`;

interface NoteData {
  id: string;
  content: string;
  version: number;
}

interface NotesData {
  notes: { edges: { cursor: string; node: NoteData }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

describe("Apollo Client 4 with InMemoryCache and relayStylePagination", () => {
  it("merges fetchMore pages into one list, newest first, each note once", async () => {
    const token = await api.token("apollo-pages");
    const client = createClient(token);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { data } = await client.mutate<{ createNote: NoteData }>({ mutation: CREATE, variables: { content: `apollo ${i}` } });
      created.push(data!.createNote.id);
    }
    // A watched query pages with fetchMore: client.query() with a new `after` would be answered from
    // the cache, since relayStylePagination keys `notes` by no arguments.
    const watched = client.watchQuery<NotesData>({ query: NOTES, variables: { first: 2 } });
    const subscription = watched.subscribe(() => {});
    try {
      const first = await watched.refetch();
      expect(first.data!.notes.edges.map((edge) => edge.node.id)).toEqual(created.slice(3).reverse());
      let pageInfo = first.data!.notes.pageInfo;
      for (let page = 0; page < 5 && pageInfo.hasNextPage; page++) {
        // fetchMore answers with the page it fetched; the cache merges it into the watched list.
        const more = await watched.fetchMore<NotesData>({ variables: { after: pageInfo.endCursor } });
        pageInfo = more.data!.notes.pageInfo;
      }
    } finally {
      subscription.unsubscribe();
    }
    // relayStylePagination keys the field by no arguments: every page lands in one cached list.
    const merged = client.readQuery<NotesData>({ query: NOTES, variables: { first: 2 } });
    expect(merged!.notes.edges.map((edge) => edge.node.id)).toEqual([...created].reverse());
    expect(merged!.notes.pageInfo.hasNextPage).toBe(false);
  });

  it("updates the cached note in place after a mutation, in the list and under node(id:)", async () => {
    const token = await api.token("apollo-update");
    const client = createClient(token);
    const { data } = await client.mutate<{ createNote: NoteData }>({ mutation: CREATE, variables: { content: "before" } });
    const id = data!.createNote.id;
    await client.query<NotesData>({ query: NOTES, variables: { first: 10 } });
    const viaNode = await client.query<{ node: NoteData }>({ query: NODE, variables: { id } });
    expect(viaNode.data!.node).toMatchObject({ __typename: "Note", id, content: "before", version: 1 });

    await client.mutate({ mutation: UPDATE, variables: { id, content: "after", expectedVersion: 1 } });

    const list = client.readQuery<NotesData>({ query: NOTES, variables: { first: 10 } });
    expect(list!.notes.edges.map((edge) => [edge.node.content, edge.node.version])).toEqual([["after", 2]]);
    const node = client.readQuery<{ node: NoteData }>({ query: NODE, variables: { id } });
    expect(node!.node).toMatchObject({ content: "after", version: 2 });
  });

  it("runs a full page of 100 notes with every field through the query limits", async () => {
    const token = await api.token("apollo-full-page");
    const client = createClient(token);
    const result = await client.query<NotesData>({ query: NOTES, variables: { first: 100 } });
    expect(result.error).toBeUndefined();
    expect(result.data!.notes.edges).toEqual([]);
  });
});
