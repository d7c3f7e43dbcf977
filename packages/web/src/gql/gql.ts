/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment NoteFields on Note {\n    id\n    content\n    attachment {\n      fileName\n      contentType\n      size\n      url\n    }\n    createdAt\n    updatedAt\n    version\n  }\n": typeof types.NoteFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      id\n    }\n  }\n": typeof types.MeDocument,
    "\n  query NotesPage($first: Int!, $after: String, $search: String) {\n    notes(first: $first, after: $after, search: $search) {\n      edges {\n        cursor\n        node {\n          ...NoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.NotesPageDocument,
    "\n  query Note($id: ID!) {\n    note(id: $id) {\n      ...NoteFields\n    }\n  }\n": typeof types.NoteDocument,
    "\n  mutation CreateNote($input: CreateNoteInput!) {\n    createNote(input: $input) {\n      ...NoteFields\n    }\n  }\n": typeof types.CreateNoteDocument,
    "\n  mutation UpdateNote($input: UpdateNoteInput!) {\n    updateNote(input: $input) {\n      ...NoteFields\n    }\n  }\n": typeof types.UpdateNoteDocument,
    "\n  mutation DeleteNote($id: ID!) {\n    deleteNote(id: $id) {\n      id\n    }\n  }\n": typeof types.DeleteNoteDocument,
    "\n  mutation CreateAttachmentUpload($input: CreateAttachmentUploadInput!) {\n    createAttachmentUpload(input: $input) {\n      id\n      url\n      fields {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n": typeof types.CreateAttachmentUploadDocument,
    "\n  subscription NoteEvents {\n    noteEvents {\n      type\n      id\n      version\n      note {\n        ...NoteFields\n      }\n    }\n  }\n": typeof types.NoteEventsDocument,
};
const documents: Documents = {
    "\n  fragment NoteFields on Note {\n    id\n    content\n    attachment {\n      fileName\n      contentType\n      size\n      url\n    }\n    createdAt\n    updatedAt\n    version\n  }\n": types.NoteFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      id\n    }\n  }\n": types.MeDocument,
    "\n  query NotesPage($first: Int!, $after: String, $search: String) {\n    notes(first: $first, after: $after, search: $search) {\n      edges {\n        cursor\n        node {\n          ...NoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.NotesPageDocument,
    "\n  query Note($id: ID!) {\n    note(id: $id) {\n      ...NoteFields\n    }\n  }\n": types.NoteDocument,
    "\n  mutation CreateNote($input: CreateNoteInput!) {\n    createNote(input: $input) {\n      ...NoteFields\n    }\n  }\n": types.CreateNoteDocument,
    "\n  mutation UpdateNote($input: UpdateNoteInput!) {\n    updateNote(input: $input) {\n      ...NoteFields\n    }\n  }\n": types.UpdateNoteDocument,
    "\n  mutation DeleteNote($id: ID!) {\n    deleteNote(id: $id) {\n      id\n    }\n  }\n": types.DeleteNoteDocument,
    "\n  mutation CreateAttachmentUpload($input: CreateAttachmentUploadInput!) {\n    createAttachmentUpload(input: $input) {\n      id\n      url\n      fields {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n": types.CreateAttachmentUploadDocument,
    "\n  subscription NoteEvents {\n    noteEvents {\n      type\n      id\n      version\n      note {\n        ...NoteFields\n      }\n    }\n  }\n": types.NoteEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NoteFields on Note {\n    id\n    content\n    attachment {\n      fileName\n      contentType\n      size\n      url\n    }\n    createdAt\n    updatedAt\n    version\n  }\n"): (typeof documents)["\n  fragment NoteFields on Note {\n    id\n    content\n    attachment {\n      fileName\n      contentType\n      size\n      url\n    }\n    createdAt\n    updatedAt\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotesPage($first: Int!, $after: String, $search: String) {\n    notes(first: $first, after: $after, search: $search) {\n      edges {\n        cursor\n        node {\n          ...NoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query NotesPage($first: Int!, $after: String, $search: String) {\n    notes(first: $first, after: $after, search: $search) {\n      edges {\n        cursor\n        node {\n          ...NoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Note($id: ID!) {\n    note(id: $id) {\n      ...NoteFields\n    }\n  }\n"): (typeof documents)["\n  query Note($id: ID!) {\n    note(id: $id) {\n      ...NoteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateNote($input: CreateNoteInput!) {\n    createNote(input: $input) {\n      ...NoteFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateNote($input: CreateNoteInput!) {\n    createNote(input: $input) {\n      ...NoteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateNote($input: UpdateNoteInput!) {\n    updateNote(input: $input) {\n      ...NoteFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateNote($input: UpdateNoteInput!) {\n    updateNote(input: $input) {\n      ...NoteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteNote($id: ID!) {\n    deleteNote(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteNote($id: ID!) {\n    deleteNote(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAttachmentUpload($input: CreateAttachmentUploadInput!) {\n    createAttachmentUpload(input: $input) {\n      id\n      url\n      fields {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAttachmentUpload($input: CreateAttachmentUploadInput!) {\n    createAttachmentUpload(input: $input) {\n      id\n      url\n      fields {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NoteEvents {\n    noteEvents {\n      type\n      id\n      version\n      note {\n        ...NoteFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription NoteEvents {\n    noteEvents {\n      type\n      id\n      version\n      note {\n        ...NoteFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;