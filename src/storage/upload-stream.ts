import type { Readable } from "node:stream";
import type { PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { PART_MD5_SINK } from "./content-md5.js";
import { multipartEtag, singlePutEtag } from "./etag.js";

const DEFAULT_PARTS_IN_FLIGHT = 4;

export interface StreamUpload {
  /** Bucket, Key, ContentType, Metadata, StorageClass... (not Body). */
  params: Omit<PutObjectCommandInput, "Body">;
  body: Readable;
  partSize: number;
  /** Parts in flight at once; memory is about this plus one, times the part size. Default 4. */
  partsInFlight?: number;
  signal?: AbortSignal;
}

export interface StreamedObject {
  /** The ETag the server must show if it holds exactly the bytes sent. */
  expectedEtag: string;
  /** 0 when the stream fitted in one PUT. */
  parts: number;
}

/**
 * Uploads a stream of unknown length: multipart with parts of `partSize`,
 * or one PUT if it all fits in the first part. Every request carries
 * Content-MD5 (storage/content-md5.ts), whose MD5s give the ETag to expect.
 * A failed or aborted upload is aborted on the server (no parts left).
 */
export async function uploadStream(
  client: S3Client,
  upload: StreamUpload,
): Promise<StreamedObject> {
  const md5s: Buffer[] = [];
  let single: Buffer | undefined;
  const sink = (partNumber: number, md5: Buffer) => {
    if (partNumber === 0) single = md5;
    else md5s[partNumber - 1] = md5;
  };
  const params = { ...upload.params, Body: upload.body, [PART_MD5_SINK]: sink };
  const uploader = new Upload({
    client,
    params,
    partSize: upload.partSize,
    queueSize: upload.partsInFlight ?? DEFAULT_PARTS_IN_FLIGHT,
    leavePartsOnError: false,
  });
  const abort = () => void uploader.abort();
  upload.signal?.addEventListener("abort", abort, { once: true });
  try {
    await uploader.done();
  } finally {
    upload.signal?.removeEventListener("abort", abort);
  }
  if (single) return { expectedEtag: singlePutEtag(single), parts: 0 };
  return { expectedEtag: multipartEtag(md5s), parts: md5s.length };
}
