import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import * as Minio from "minio";
import { inject } from "vitest";
import type { S3Endpoint } from "../services/ceph-gateway.js";

export function s3UnderTest(): S3Endpoint {
  return inject("s3");
}

/**
 * The independent client: the `minio` library checks what givre stored,
 * so a bug in givre's own S3 layer cannot hide itself.
 */
export function minioClient(s3 = s3UnderTest()): Minio.Client {
  const url = new URL(s3.endpoint);
  return new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port) || (url.protocol === "https:" ? 443 : 80),
    useSSL: url.protocol === "https:",
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    pathStyle: true,
    // Fresh connections: a pooled one left idle (during a long bench step)
    // may have been closed by the server, and minio does not retry.
    transportAgent: new Agent({ keepAlive: false }),
  });
}

/** A new empty bucket with a unique name, made by the independent client. */
export async function createTestBucket(label = "t"): Promise<string> {
  const name = `givre-${label}-${randomBytes(5).toString("hex")}`.toLowerCase().slice(0, 63);
  const s3 = s3UnderTest();
  await minioClient(s3).makeBucket(name, s3.region);
  return name;
}

/** Every object in a bucket, with size and ETag, listed by the independent client. */
export async function listObjects(
  bucket: string,
  prefix = "",
  s3?: S3Endpoint,
): Promise<Minio.BucketItem[]> {
  const items: Minio.BucketItem[] = [];
  const stream = minioClient(s3).listObjectsV2(bucket, prefix, true);
  for await (const item of stream) items.push(item as Minio.BucketItem);
  return items;
}

export async function readObject(bucket: string, key: string): Promise<Buffer> {
  const stream = await minioClient().getObject(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Env for a givre process talking to the S3 under test. */
export function s3Env(s3 = s3UnderTest()): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: s3.accessKey,
    AWS_SECRET_ACCESS_KEY: s3.secretKey,
    AWS_REGION: s3.region,
  };
}
