import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";

/**
 * Where the MD5 of each part of a multipart upload is reported. Put it on
 * the params of an upload (lib-storage copies its params into every
 * UploadPart); the middleware below calls it, so the part MD5s are
 * computed once, from the bytes actually sent.
 */
export const PART_MD5_SINK = Symbol("givre.partMd5Sink");

export type PartMd5Sink = (partNumber: number, md5: Buffer) => void;

const MIDDLEWARE_NAME = "givreContentMd5";

/**
 * Adds Content-MD5 to every UploadPart that lacks one, so the server
 * refuses a part damaged in transit, in both checksum modes. Single PUTs
 * carry their Content-MD5 explicitly (storage/upload-file.ts).
 */
export function addPartContentMd5(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "UploadPartCommand") return next(args);
      const request = args.request as { headers: Record<string, string>; body: unknown };
      const input = args.input as { PartNumber?: number; [PART_MD5_SINK]?: PartMd5Sink };
      if (!(request.body instanceof Uint8Array)) return next(args);
      const md5 = createHash("md5").update(request.body).digest();
      request.headers["content-md5"] = md5.toString("base64");
      input[PART_MD5_SINK]?.(input.PartNumber ?? 0, md5);
      return next(args);
    },
    { step: "build", name: MIDDLEWARE_NAME, override: true },
  );
}
