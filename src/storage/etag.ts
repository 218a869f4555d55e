import { createHash } from "node:crypto";

/**
 * The ETag an S3 server must compute for what we sent: the hex MD5 of the
 * body for a single PUT, and for a multipart upload the MD5 of the
 * concatenated binary part MD5s followed by `-<part count>`. givre computes
 * it locally and compares, which proves the server holds our bytes without
 * reading them back.
 */
export function singlePutEtag(md5: Buffer): string {
  return md5.toString("hex");
}

export function multipartEtag(partMd5s: readonly Buffer[]): string {
  const digest = createHash("md5").update(Buffer.concat(partMd5s)).digest("hex");
  return `${digest}-${partMd5s.length}`;
}

/** ETags arrive quoted (`"abc"`) in headers and listings. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, "").toLowerCase();
}
