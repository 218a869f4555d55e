import { randomBytes, createHash } from "node:crypto";
import { hostname } from "node:os";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  AbortMultipartUploadCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { TargetConfig } from "../config/config.js";
import { multipartEtag, normalizeEtag, singlePutEtag } from "./etag.js";
import { targetFailure } from "./storage-errors.js";
import { S3_MIN_PART_SIZE } from "../config/load-config.js";

/** What `givre doctor` learned about one target. */
export interface TargetReport {
  target: string;
  /** Round trip of a probe object: written, read back equal, deleted. */
  probe: boolean;
  /** Single-PUT ETag equals the MD5 of the body. */
  putEtagIsMd5: boolean;
  /** Multipart ETag has the `md5-of-md5s-N` form. */
  multipartEtagIsMd5OfMd5s: boolean;
  /** The server stores and returns the SDK's flexible SHA-256 checksum. */
  flexibleChecksums: boolean;
  /** Server clock minus ours, in seconds (from the Date header). */
  clockSkewSeconds: number | undefined;
}

const PROBE_PREFIX = ".givre/doctor/";

/**
 * Probes a target end to end. Throws a StorageError (exit 4) when the
 * target as a whole is unusable: unreachable, credentials, bucket.
 */
export async function probeTarget(client: S3Client, target: TargetConfig): Promise<TargetReport> {
  const serverDate = captureServerDate(client);
  const key = `${PROBE_PREFIX}${hostname()}-${process.pid}-${Date.now()}`;
  try {
    await client.send(
      new ListObjectsV2Command({ Bucket: target.bucket, MaxKeys: 1, Prefix: PROBE_PREFIX }),
    );
  } catch (error) {
    throw targetFailure(target, error) ?? error;
  }
  const report: TargetReport = {
    target: target.name,
    probe: false,
    putEtagIsMd5: false,
    multipartEtagIsMd5OfMd5s: false,
    flexibleChecksums: false,
    clockSkewSeconds: serverDate.skewSeconds(),
  };
  try {
    Object.assign(report, await probeSinglePut(client, target.bucket, `${key}-put`));
    report.multipartEtagIsMd5OfMd5s = await probeMultipart(
      client,
      target.bucket,
      `${key}-multipart`,
    );
    report.flexibleChecksums = await probeFlexibleChecksum(
      client,
      target.bucket,
      `${key}-checksum`,
    );
  } catch (error) {
    throw targetFailure(target, error) ?? error;
  }
  return report;
}

async function probeSinglePut(client: S3Client, bucket: string, key: string) {
  const body = randomBytes(4096);
  const md5 = createHash("md5").update(body).digest();
  const put = await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentMD5: md5.toString("base64"),
    }),
  );
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const back = Buffer.from(await got.Body!.transformToByteArray());
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  return { probe: back.equals(body), putEtagIsMd5: normalizeEtag(put.ETag) === singlePutEtag(md5) };
}

async function probeMultipart(client: S3Client, bucket: string, key: string): Promise<boolean> {
  const parts = [randomBytes(S3_MIN_PART_SIZE), randomBytes(1024)];
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
  );
  try {
    const md5s = parts.map((part) => createHash("md5").update(part).digest());
    const completed = [];
    for (const [index, part] of parts.entries()) {
      const PartNumber = index + 1;
      const ContentMD5 = md5s[index]!.toString("base64");
      const args = { Bucket: bucket, Key: key, UploadId, PartNumber, Body: part, ContentMD5 };
      const { ETag } = await client.send(new UploadPartCommand(args));
      completed.push({ ETag, PartNumber });
    }
    const MultipartUpload = { Parts: completed };
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload }),
    );
    // Some servers (Ceph 16) leave the ETag out of the completion answer; HEAD shows it.
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return normalizeEtag(head.ETag) === multipartEtag(md5s);
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
      .catch(() => {});
    throw error;
  }
}

/** Some servers ignore x-amz-checksum-*; others reject it. Either way: not supported. */
async function probeFlexibleChecksum(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<boolean> {
  const body = randomBytes(1024);
  const sha256 = createHash("sha256").update(body).digest("base64");
  try {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ChecksumSHA256: sha256 }),
    );
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }),
    );
    return head.ChecksumSHA256 === sha256;
  } catch {
    return false;
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
  }
}

/** Records the Date header of the first response, to estimate clock skew. */
function captureServerDate(client: S3Client) {
  let skew: number | undefined;
  const name = "givreServerDate";
  client.middlewareStack.remove(name);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const date = (result.response as { headers?: Record<string, string> }).headers?.date;
      if (skew === undefined && date) skew = Math.round((Date.parse(date) - Date.now()) / 1000);
      return result;
    },
    { step: "deserialize", name },
  );
  return { skewSeconds: () => skew };
}
