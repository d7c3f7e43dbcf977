declare module "s3rver" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  interface S3rverOptions {
    directory: string;
    silent?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: string[] }[];
  }
  interface StoredObjectList {
    objects: { key: string }[];
    isTruncated: boolean;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    configureBuckets(): Promise<void>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    store: {
      listObjects(bucket: string, options: { prefix?: string; maxKeys?: number; startAfter?: string }): Promise<StoredObjectList>;
      deleteObject(bucket: string, key: string): Promise<void>;
    };
  }
}
