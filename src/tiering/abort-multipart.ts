import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

/**
 * Aborts unfinished multipart uploads to exactly `key` (a run killed in
 * the middle of one leaves its parts behind, billed but invisible).
 */
export async function abortMultipartUploads(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<number> {
  const listing = await client.send(
    new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }),
  );
  const stale = (listing.Uploads ?? []).filter((upload) => upload.Key === key);
  for (const upload of stale) {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }),
    );
  }
  return stale.length;
}
