/**
 * Stands in for @fastify/busboy in the Lambda bundle (stacks/lambda-bundle.ts). Only multipart
 * parsing (Request.formData() on a multipart body) uses it, and yoga's multipart parser is off
 * (`multipart: false`), so its 27 KB would never run; were it called, the request fails instead.
 */
export class Busboy {
  constructor() {
    throw new Error("multipart bodies are not parsed by this API");
  }
}
