import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { normalizeEtag } from "../storage/etag.js";
import { byUtf8 } from "../storage/upload-proof.js";
import type { SeenObject } from "./object-check.js";

/** S3 lists at most 1,000 keys per request. */
const LIST_PAGE = 1000;

/**
 * Size and ETag of the objects of one folder from the first to the last
 * of `keys` (sorted as S3 sorts, by UTF-8 bytes), without descending into
 * sub-folders: one request per thousand keys.
 */
export async function listFolderRange(
  client: S3Client,
  bucket: string,
  folder: string,
  keys: readonly string[],
): Promise<{ seen: Map<string, SeenObject>; requests: number }> {
  const sorted = [...keys].sort(byUtf8);
  const last = Buffer.from(sorted[sorted.length - 1]!);
  const seen = new Map<string, SeenObject>();
  let requests = 0;
  let token: string | undefined;
  for (;;) {
    requests++;
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: folder,
        Delimiter: "/",
        // StartAfter is exclusive: a key one character shorter sorts just before the first.
        StartAfter: token ? undefined : sorted[0]!.slice(0, -1),
        ContinuationToken: token,
        MaxKeys: LIST_PAGE,
      }),
    );
    for (const item of page.Contents ?? []) {
      seen.set(item.Key!, { size: item.Size ?? 0, etag: normalizeEtag(item.ETag) });
    }
    const lastListed = page.Contents?.at(-1)?.Key;
    if (!page.IsTruncated || !lastListed || Buffer.compare(Buffer.from(lastListed), last) >= 0) {
      return { seen, requests };
    }
    token = page.NextContinuationToken;
  }
}
