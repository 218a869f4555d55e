import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { normalizeEtag } from "./etag.js";

export interface ListedObject {
  key: string;
  size: number;
  etag: string | undefined;
  storageClass: string;
  lastModified: number;
}

/** Every object under a prefix, a page (up to 1,000 keys, one request) at a time. */
export async function* listPages(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): AsyncIterable<ListedObject[]> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      { abortSignal: signal },
    );
    yield (page.Contents ?? []).map((item) => ({
      key: item.Key!,
      size: item.Size ?? 0,
      etag: normalizeEtag(item.ETag),
      storageClass: item.StorageClass ?? "STANDARD",
      lastModified: item.LastModified?.getTime() ?? 0,
    }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
