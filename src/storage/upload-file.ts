import { createHash } from "node:crypto";
import { createReadStream, readFile as readFileCallback } from "node:fs";
import { promisify } from "node:util";
import { Transform, pipeline } from "node:stream";
import {
  PutObjectTaggingCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ChecksumMode } from "../config/config.js";
import { GivreError } from "../errors.js";
import type { DirectPut } from "./direct-put.js";
import { singlePutEtag } from "./etag.js";
import { uploadStream } from "./upload-stream.js";
import { encodeMetadata, type ObjectMetadata } from "./object-metadata.js";
import { partSizeFor } from "./part-size.js";

const READ_CHUNK = 1024 * 1024;
// The callback readFile does open, fstat, read and close in one trip to the
// thread pool; the promise version makes four.
const readFile = promisify(readFileCallback);

/** The two ways givre sends bytes: the SDK (multipart) and the direct PUT (small files). */
export interface UploadTransport {
  client: S3Client;
  direct: DirectPut;
}

export interface UploadRequest {
  bucket: string;
  key: string;
  /** Absolute path of the local file. */
  file: string;
  /** Size seen at scan; a file that reads differently has changed. */
  size: number;
  contentType: string;
  storageClass: string;
  metadata: Omit<ObjectMetadata, "sha256">;
  checksums: ChecksumMode;
  multipartThreshold: number;
  partSize: number;
  maxParts: number;
  /** Waits before bytes are sent, to hold a bandwidth limit. */
  throttle?: (bytes: number) => Promise<void>;
  signal?: AbortSignal;
}

/** What was sent, and the ETag the server must show if it holds exactly that. */
export interface UploadedObject {
  key: string;
  size: number;
  sha256: string;
  expectedEtag: string;
  parts: number;
}

/** The local file changed between scan and upload; it stays and is taken later. */
export class FileChangedError extends GivreError {
  constructor(file: string, expected: number, found: number) {
    super(
      "FILE_CHANGED",
      1,
      `${file} changed while it was read (${expected} bytes at scan, ${found} read)`,
    );
  }
}

/**
 * Uploads one file, reading it once: the same bytes feed the hashes
 * (SHA-256 of the file, MD5 of the body or of each part) and the request.
 * Every PUT and part carries Content-MD5. This proves nothing by itself:
 * the caller checks the bucket (storage/upload-proof.ts).
 */
export async function uploadFile(
  transport: UploadTransport,
  request: UploadRequest,
): Promise<UploadedObject> {
  const partSize = partSizeFor(request.size, request.partSize, request.maxParts);
  const multipart = request.size >= request.multipartThreshold && request.size > partSize;
  if (multipart) return uploadMultipart(transport.client, request, partSize);
  return uploadSingle(transport.direct, request);
}

async function uploadSingle(direct: DirectPut, request: UploadRequest): Promise<UploadedObject> {
  const body = await readFile(request.file);
  if (body.length !== request.size) {
    throw new FileChangedError(request.file, request.size, body.length);
  }
  const md5 = createHash("md5").update(body).digest();
  const sha256 = createHash("sha256").update(body).digest();
  const hex = sha256.toString("hex");
  await request.throttle?.(body.length);
  await direct.put({
    key: request.key,
    body,
    md5: md5.toString("base64"),
    sha256: hex,
    contentType: request.contentType,
    metadata: encodeMetadata({ ...request.metadata, sha256: hex }),
    storageClass: explicitStorageClass(request.storageClass),
    checksumSha256: request.checksums === "aws" ? sha256.toString("base64") : undefined,
    signal: request.signal,
  });
  return {
    key: request.key,
    size: body.length,
    sha256: hex,
    expectedEtag: singlePutEtag(md5),
    parts: 0,
  };
}

async function uploadMultipart(
  client: S3Client,
  request: UploadRequest,
  partSize: number,
): Promise<UploadedObject> {
  const sha256 = createHash("sha256");
  let bytes = 0;
  const source = createReadStream(request.file, {
    highWaterMark: READ_CHUNK,
    signal: request.signal,
  });
  const hashing = tap(async (chunk) => {
    sha256.update(chunk);
    bytes += chunk.length;
    await request.throttle?.(chunk.length);
  });
  // pipeline() carries a read error (EACCES, EIO) into the upload, which then aborts.
  const body = pipeline(source, hashing, () => {});
  // The SHA-256 is known only once the single read ends, after the upload
  // started, so it cannot be in the metadata: it goes in a tag below.
  const params = { ...baseParams(request), ContentLength: request.size };
  if (request.checksums === "aws") params.ChecksumAlgorithm = "SHA256";
  const sent = await uploadStream(client, { params, body, partSize, signal: request.signal });
  if (bytes !== request.size) throw new FileChangedError(request.file, request.size, bytes);
  const hex = sha256.digest("hex");
  const Tagging = { TagSet: [{ Key: "givre-sha256", Value: hex }] };
  await client.send(
    new PutObjectTaggingCommand({ Bucket: request.bucket, Key: request.key, Tagging }),
  );
  return {
    key: request.key,
    size: bytes,
    sha256: hex,
    expectedEtag: sent.expectedEtag,
    parts: sent.parts,
  };
}

/** Params of the multipart upload; its SHA-256 comes later, as a tag. */
function baseParams(request: UploadRequest): PutObjectCommandInput {
  const metadata = encodeMetadata({ ...request.metadata, sha256: "" });
  delete metadata["givre-sha256"];
  const storageClass = explicitStorageClass(request.storageClass);
  return {
    Bucket: request.bucket,
    Key: request.key,
    ContentType: request.contentType,
    Metadata: metadata,
    StorageClass: storageClass as PutObjectCommandInput["StorageClass"],
  };
}

/** STANDARD is the default everywhere, and naming it trips some servers: it is left out. */
function explicitStorageClass(storageClass: string): string | undefined {
  return storageClass === "STANDARD" ? undefined : storageClass;
}

/** A pass-through stream that lets `see` look at (and pace) every chunk. */
function tap(see: (chunk: Buffer) => Promise<void>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      see(chunk).then(() => done(null, chunk), done);
    },
  });
}
