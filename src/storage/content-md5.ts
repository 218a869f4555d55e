import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { UNSIGNED_PAYLOAD } from "./sigv4.js";

/**
 * Where the MD5 of each piece of a streamed upload is reported. Put it on
 * the params of an upload (lib-storage copies its params into every
 * UploadPart, and into the single PutObject it sends for a stream that
 * fits in one part); the middleware below calls it with the part number
 * (0 for a single PUT), so the MD5s are computed once, from the bytes sent.
 */
export const PART_MD5_SINK = Symbol("givre.partMd5Sink");

export type PartMd5Sink = (partNumber: number, md5: Buffer) => void;

const MIDDLEWARE_NAME = "givreContentMd5";
const COMMANDS = new Set(["UploadPartCommand", "PutObjectCommand"]);

/**
 * Adds Content-MD5 to every UploadPart and PutObject with a bytes body that
 * lacks one, so the server refuses a body damaged in transit, in both
 * checksum modes; the payload itself is then sent unsigned.
 */
export function addContentMd5(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!COMMANDS.has(context.commandName ?? "")) return next(args);
      const request = args.request as { headers: Record<string, string>; body: unknown };
      const input = args.input as { PartNumber?: number; [PART_MD5_SINK]?: PartMd5Sink };
      if (!(request.body instanceof Uint8Array)) return next(args);
      const md5 = createHash("md5").update(request.body).digest();
      request.headers["content-md5"] ??= md5.toString("base64");
      // Content-MD5 already proves the body to the server; a signed payload
      // would hash every part a second time (SHA-256) for nothing more.
      request.headers["x-amz-content-sha256"] ??= UNSIGNED_PAYLOAD;
      input[PART_MD5_SINK]?.(input.PartNumber ?? 0, md5);
      return next(args);
    },
    { step: "build", name: MIDDLEWARE_NAME, override: true },
  );
}
