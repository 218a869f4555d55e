import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { createS3Client } from "../../src/storage/s3-client.js";
import { ListingProver, ProofError, proveByHead, byUtf8 } from "../../src/storage/upload-proof.js";
import { createTestBucket, minioClient, s3UnderTest } from "../support/s3.js";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const expectedFor = (key: string) => ({
  key,
  size: Buffer.byteLength(`content of ${key}`),
  etag: md5(`content of ${key}`),
});

describe("upload proof", () => {
  let bucket: string;
  let client: ReturnType<typeof createS3Client>;

  beforeAll(async () => {
    bucket = await createTestBucket("proof");
    const s3 = s3UnderTest();
    process.env.AWS_ACCESS_KEY_ID = s3.accessKey;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretKey;
    const yaml = `targets:\n  archive:\n    endpoint: ${s3.endpoint}\n    bucket: ${bucket}\n`;
    client = createS3Client(parseConfig("test.yaml", yaml, {}).targets.archive!);
    const names = ["d/a.png", "d/b.png", "d/é.png", "d/z.png", "d/🌧.png", "other/x.png"];
    for (const name of names) {
      await minioClient().putObject(bucket, name, Buffer.from(`content of ${name}`));
    }
  });

  it("proves many uploads of a folder with one listing", async () => {
    const prover = new ListingProver(client, bucket, { delayMs: 10 });
    const keys = ["d/🌧.png", "d/a.png", "d/é.png", "d/z.png"];

    await Promise.all(keys.map((key) => prover.prove(expectedFor(key))));

    expect(prover.listings).toBe(1);
  });

  it("fails the upload whose ETag or size the bucket does not show, and only that one", async () => {
    const prover = new ListingProver(client, bucket, { delayMs: 10 });
    const good = prover.prove(expectedFor("d/a.png"));
    const badEtag = prover.prove({ ...expectedFor("d/b.png"), etag: md5("something else") });
    const badSize = prover.prove({ ...expectedFor("d/z.png"), size: 19 });

    await expect(good).resolves.toBeUndefined();
    await expect(badEtag).rejects.toThrow(ProofError);
    await expect(badEtag).rejects.toThrow(
      `the bucket does not hold what was sent for d/b.png: found 18 bytes with ETag ${md5("content of d/b.png")}, expected 18 bytes with ETag ${md5("something else")}`,
    );
    await expect(badSize).rejects.toThrow("found 18 bytes");
  });

  it("fails an upload the bucket does not have, after checking it by HEAD", async () => {
    const prover = new ListingProver(client, bucket, { delayMs: 10 });

    await expect(prover.prove({ key: "d/missing.png", size: 1, etag: md5("x") })).rejects.toThrow(
      "the bucket does not hold what was sent for d/missing.png: found no object",
    );
    await expect(proveByHead(client, bucket, expectedFor("other/x.png"))).resolves.toBeUndefined();
  });

  it("orders keys as S3 does, by UTF-8 bytes", () => {
    expect(["d/🌧.png", "d/é.png", "d/\uffff.png", "d/z.png"].sort(byUtf8)).toEqual([
      "d/z.png",
      "d/é.png",
      "d/\uffff.png",
      "d/🌧.png",
    ]);
  });
});
