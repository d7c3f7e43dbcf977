import { graphql } from "relay-runtime";

// Relay documents as a third-party app writes them; clients/relay.test.ts compiles them with relay-compiler.

export const notesListQuery = graphql`
  query NotesListQuery($count: Int!, $cursor: String) {
    ...NotesList_query @arguments(count: $count, cursor: $cursor)
  }
`;

export const notesListFragment = graphql`
  fragment NotesList_query on Query
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" })
  @refetchable(queryName: "NotesListPaginationQuery") {
    notes(first: $count, after: $cursor) @connection(key: "NotesList_notes") {
      edges {
        node {
          id
          ...NoteItem_note
        }
      }
    }
  }
`;

export const noteItemFragment = graphql`
  fragment NoteItem_note on Note @refetchable(queryName: "NoteItemRefetchQuery") {
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

export const updateNoteMutation = graphql`
  mutation NotesListUpdateNoteMutation($input: UpdateNoteInput!) {
    updateNote(input: $input) {
      ...NoteItem_note
    }
  }
`;
