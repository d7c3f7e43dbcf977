import { graphql } from "./gql/index.ts";

// Every GraphQL operation the web app sends; codegen turns each into a TypedDocumentNode.

export const NoteFieldsFragment = graphql(`
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
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
    }
  }
`);

export const NotesPageQuery = graphql(`
  query NotesPage($first: Int!, $after: String, $search: String) {
    notes(first: $first, after: $after, search: $search) {
      edges {
        cursor
        node {
          ...NoteFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const NoteQuery = graphql(`
  query Note($id: ID!) {
    note(id: $id) {
      ...NoteFields
    }
  }
`);

export const CreateNoteMutation = graphql(`
  mutation CreateNote($input: CreateNoteInput!) {
    createNote(input: $input) {
      ...NoteFields
    }
  }
`);

export const UpdateNoteMutation = graphql(`
  mutation UpdateNote($input: UpdateNoteInput!) {
    updateNote(input: $input) {
      ...NoteFields
    }
  }
`);

export const DeleteNoteMutation = graphql(`
  mutation DeleteNote($id: ID!) {
    deleteNote(id: $id) {
      id
    }
  }
`);

export const CreateAttachmentUploadMutation = graphql(`
  mutation CreateAttachmentUpload($input: CreateAttachmentUploadInput!) {
    createAttachmentUpload(input: $input) {
      id
      url
      fields {
        name
        value
      }
      expiresAt
    }
  }
`);

export const NoteEventsSubscription = graphql(`
  subscription NoteEvents {
    noteEvents {
      type
      id
      version
      note {
        ...NoteFields
      }
    }
  }
`);
